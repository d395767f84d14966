"""会议简报 (issue 11): the brief builder, Qt-free. data gathers, pdf lays out, charts draw, images prepare
photos, text handles fonts, escaping and CJK line breaking. Reached through zhdesk/services/brief.py."""
