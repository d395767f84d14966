"""The listing state machine: every transition, legal and illegal."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from zhdesk.domain.workflow import (
    TRANSITIONS,
    Action,
    ListingState,
    Status,
    allowed,
    apply,
    parse_action,
    parse_status,
    transition_for,
    transition_to,
)
from zhdesk.errors import IllegalTransition, UsageError

D = dt.date(2021, 3, 5)

LEGAL = {
    (Status.LISTED, Action.START): Status.RECTIFYING,
    (Status.RECTIFYING, Action.SUBMIT): Status.AWAITING_ACCEPTANCE,
    (Status.AWAITING_ACCEPTANCE, Action.ACCEPT): Status.CLOSED,
    (Status.AWAITING_ACCEPTANCE, Action.REJECT): Status.RECTIFYING,
    (Status.CLOSED, Action.REBOUND): Status.RECTIFYING,
}


@pytest.mark.parametrize(("source", "action"), list(itertools.product(Status, Action)))
def test_every_state_action_pair(source: Status, action: Action) -> None:
    if (source, action) in LEGAL:
        assert transition_for(source, action).target == LEGAL[(source, action)]
    else:
        with pytest.raises(IllegalTransition) as exc:
            transition_for(source, action)
        # The message names the current state and what is possible instead.
        assert source.label in exc.value.message
        assert action.label in exc.value.message


def test_table_matches_declared_transitions() -> None:
    assert {(t.source, t.action): t.target for t in TRANSITIONS} == LEGAL


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_transition_to_target(source: Status, target: Status) -> None:
    legal_targets = {v for (s, _), v in LEGAL.items() if s == source}
    if target in legal_targets:
        assert transition_to(source, target).target == target
    else:
        with pytest.raises(IllegalTransition, match="不能从"):
            transition_to(source, target)


def test_reject_counts_rework_and_rebound_reopens() -> None:
    s = ListingState(Status.LISTED, None, 0, 0)
    s = apply(s, transition_for(s.status, Action.START), D)
    s = apply(s, transition_for(s.status, Action.SUBMIT), D)
    s = apply(s, transition_for(s.status, Action.REJECT), D)
    assert (s.status, s.rework_count, s.rebound_count) == (Status.RECTIFYING, 1, 0)
    s = apply(s, transition_for(s.status, Action.SUBMIT), D)
    closed_on = D + dt.timedelta(days=9)
    s = apply(s, transition_for(s.status, Action.ACCEPT), closed_on)
    assert (s.status, s.closed_on) == (Status.CLOSED, closed_on)
    s = apply(s, transition_for(s.status, Action.REBOUND), D + dt.timedelta(days=30))
    assert (s.status, s.closed_on, s.rework_count, s.rebound_count) == (Status.RECTIFYING, None, 1, 1)


def test_apply_refuses_a_step_from_another_state() -> None:
    step = transition_for(Status.LISTED, Action.START)
    with pytest.raises(IllegalTransition):
        apply(ListingState(Status.CLOSED, D, 0, 0), step, D)


def test_allowed_lists_buttons_in_order() -> None:
    assert [t.action for t in allowed(Status.AWAITING_ACCEPTANCE)] == [Action.ACCEPT, Action.REJECT]
    assert [t.action for t in allowed(Status.CLOSED)] == [Action.REBOUND]


@pytest.mark.parametrize(
    ("text", "status"),
    [("rectifying", Status.RECTIFYING), ("整改中", Status.RECTIFYING), ("已办结", Status.CLOSED),
     ("摘牌", Status.CLOSED), (" 待验收 ", Status.AWAITING_ACCEPTANCE)],
)  # fmt: skip
def test_parse_status(text: str, status: Status) -> None:
    assert parse_status(text) == status


def test_parse_unknown_names_the_choices() -> None:
    with pytest.raises(UsageError, match="rectifying"):
        parse_status("done")
    with pytest.raises(UsageError, match="submit"):
        parse_action("finish")
    assert parse_action("退回整改") == Action.REJECT
