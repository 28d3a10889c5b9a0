"""Stage 7, follow-up: re-measure accepted entries against their baseline and target."""

from flows.followup.relapse import Relapse, relapse_of
from flows.followup.remeasure import FollowUp, accepted_on, remeasure
from flows.followup.verdict import Judgement, judge

__all__ = [
    "FollowUp",
    "Judgement",
    "Relapse",
    "accepted_on",
    "judge",
    "relapse_of",
    "remeasure",
]
