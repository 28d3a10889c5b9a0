"""Stage 7, follow-up: re-measure accepted entries against their baseline and target."""

from flows.followup.remeasure import FollowUp, accepted_on, remeasure
from flows.followup.verdict import Judgement, judge

__all__ = ["FollowUp", "Judgement", "accepted_on", "judge", "remeasure"]
