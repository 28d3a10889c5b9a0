"""Follow-up rules in the config: how accepted entries are re-measured."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["FollowUpSpec"]


class FollowUpSpec(BaseModel):
    """Follow-up rules: how accepted entries are re-measured and when to suggest closing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alpha: float = Field(0.05, gt=0, lt=0.5, description="one-sided significance level")
    min_periods: int = Field(7, ge=3, description="valued periods needed on each side")
    window_periods: int = Field(28, ge=3, description="latest periods after acceptance compared")
    min_change: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="smallest shift, as a share of the baseline median, "
        "that counts as improving or regressed",
    )
    target_met_periods: int = Field(
        14, ge=1, description="periods the target must hold before closing is suggested"
    )

    @model_validator(mode="after")
    def _window_holds_enough(self) -> FollowUpSpec:
        if self.window_periods < self.min_periods:
            raise ValueError(
                f"followup.window_periods must be >= min_periods ({self.min_periods}), "
                f"got {self.window_periods}"
            )
        return self
