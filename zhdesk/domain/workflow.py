"""The listing (挂牌督办) state machine.

listed 已挂牌 → rectifying 整改中 → awaiting_acceptance 待验收 → closed 已办结(摘牌).
Rejection at acceptance returns to rectifying and counts as rework (退回整改);
a rebound after closure reopens it (反弹).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from zhdesk.errors import IllegalTransition, UsageError


class Status(StrEnum):
    LISTED = "listed"
    RECTIFYING = "rectifying"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.LISTED: "已挂牌",
    Status.RECTIFYING: "整改中",
    Status.AWAITING_ACCEPTANCE: "待验收",
    Status.CLOSED: "已办结(摘牌)",
}


class Action(StrEnum):
    START = "start"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    REBOUND = "rebound"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.START: "开始整改",
    Action.SUBMIT: "申请验收",
    Action.ACCEPT: "验收通过(摘牌)",
    Action.REJECT: "退回整改",
    Action.REBOUND: "反弹重新整改",
}


# Timeline kinds only the workflow writes (挂牌, site move): recording or editing them by hand would
# show a step the listing never took. The START step leaves an "action" event whose text starts with its label.
WORKFLOW_EVENT_KINDS: dict[str, str] = {
    "listed": "挂牌",
    "acceptance_request": "申请验收",
    "accepted": "验收通过",
    "rejected": "退回整改",
    "delisted": "摘牌",
    "rebound": "反弹",
}


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    rework: bool = False
    rebound: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.START, Status.LISTED, Status.RECTIFYING),
    Transition(Action.SUBMIT, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE),
    Transition(Action.ACCEPT, Status.AWAITING_ACCEPTANCE, Status.CLOSED),
    Transition(Action.REJECT, Status.AWAITING_ACCEPTANCE, Status.RECTIFYING, rework=True),
    Transition(Action.REBOUND, Status.CLOSED, Status.RECTIFYING, rebound=True),
)


def parse_status(text: str) -> Status:
    """Accept the code (`rectifying`) or the Chinese label (整改中, 已办结, 摘牌 …)."""
    t = text.strip()
    for s in Status:
        if t == s.value or t == s.label:
            return s
    aliases = {"已办结": Status.CLOSED, "摘牌": Status.CLOSED, "办结": Status.CLOSED}
    if t in aliases:
        return aliases[t]
    names = "、".join(f"{s.value}({s.label})" for s in Status)
    raise UsageError(f"未知的状态“{text}”，可用：{names}")


def parse_action(text: str) -> Action:
    t = text.strip()
    for a in Action:
        if t == a.value or t == a.label:
            return a
    aliases = {"验收通过": Action.ACCEPT, "摘牌": Action.ACCEPT, "反弹": Action.REBOUND}
    if t in aliases:
        return aliases[t]
    names = "、".join(f"{a.value}({a.label})" for a in Action)
    raise UsageError(f"未知的操作“{text}”，可用：{names}")


def allowed(source: Status) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


def transition_for(source: Status, action: Action) -> Transition:
    for t in TRANSITIONS:
        if t.source == source and t.action == action:
            return t
    options = "、".join(t.action.label for t in allowed(source)) or "无"
    raise IllegalTransition(f"当前状态为“{source.label}”，不能“{action.label}”；可执行：{options}")


def transition_to(source: Status, target: Status) -> Transition:
    """The single transition from `source` to `target`, or a refusal saying what is possible."""
    for t in TRANSITIONS:
        if t.source == source and t.target == target:
            return t
    options = "、".join(f"{t.action.label}→{t.target.label}" for t in allowed(source)) or "无"
    raise IllegalTransition(f"不能从“{source.label}”直接变为“{target.label}”；可执行：{options}")


@dataclass(frozen=True)
class ListingState:
    """What a transition changes on a listing."""

    status: Status
    closed_on: dt.date | None
    rework_count: int
    rebound_count: int


def apply(state: ListingState, transition: Transition, on: dt.date) -> ListingState:
    if state.status != transition.source:
        raise IllegalTransition(
            f"当前状态为“{state.status.label}”，不能“{transition.action.label}”"
        )
    return ListingState(
        status=transition.target,
        closed_on=on if transition.target == Status.CLOSED else None,
        rework_count=state.rework_count + (1 if transition.rework else 0),
        rebound_count=state.rebound_count + (1 if transition.rebound else 0),
    )
