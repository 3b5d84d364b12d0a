"""A grading scale: its grades in order, which are below Good, which counts as Inadequate.

PRODUCT.md section 3: the Ofsted four-point scale by default, but an authority may use its own
scale, so nothing but the default assumes four grades: ask the scale.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValueError(f"{value!r} is not a key (lower case letters, digits and _)")
    return value


Key = Annotated[str, AfterValidator(_key)]


class GradingScale(BaseModel):
    """A grading scale: its grades best first, which are below Good, which is Inadequate.

    Nothing else may assume four grades: ask the scale (PRODUCT.md section 3).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    grades: tuple[Key, ...]  # best first
    below_good: tuple[Key, ...]
    inadequate: Key

    @model_validator(mode="after")
    def _consistent(self) -> GradingScale:
        if len(self.grades) < 2:
            raise ValueError("a scale needs at least two grades")
        if len(set(self.grades)) != len(self.grades):
            raise ValueError("a grade is repeated")
        unknown = [g for g in (*self.below_good, self.inadequate) if g not in self.grades]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} not among the grades")
        # Grades are ordered best to worst, so "below Good" must be the worst few of them:
        # otherwise a grade would be below Good while a worse one was not.
        if not self.below_good or len(self.below_good) >= len(self.grades):
            raise ValueError("below_good must name some, but not all, of the grades")
        if set(self.below_good) != set(self.grades[-len(self.below_good) :]):
            raise ValueError("below_good must be the worst grades of the scale")
        if self.inadequate not in self.below_good:
            raise ValueError("inadequate must be one of the below_good grades")
        return self

    def rank(self, grade: str) -> int:
        """The grade's place on the scale, 0 for the best."""
        return self.grades.index(grade)

    def is_below_good(self, grade: str) -> bool:
        """Whether a grade is below Good (it then needs at least one action)."""
        return grade in self.below_good

    def is_inadequate(self, grade: str) -> bool:
        """Whether a grade counts as Inadequate (sent at once to the head of service)."""
        return grade == self.inadequate


#: The default: Ofsted's four-point scale.
OFSTED_SCALE = GradingScale(
    grades=("outstanding", "good", "requires_improvement", "inadequate"),
    below_good=("requires_improvement", "inadequate"),
    inadequate="inadequate",
)
