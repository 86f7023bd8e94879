"""Each evaluator concludes on their own; the case knows where they differ."""

import pytest

from passport.errors import PermissionRefused
from passport.interviews.conclusions import ConclusionData, disagreement, save_conclusion
from passport.interviews.services import save_assessment
from tests.conftest import assessment_data


def _draft(world):
    case = world.assigned_case()
    assessment = save_assessment(world.ev1, case, assessment_data(), submit=False)
    return case, assessment


def test_two_conclusions_that_differ_in_level_are_a_disagreement(world):
    case, assessment = _draft(world)
    save_conclusion(world.ev1, case, assessment,
                    ConclusionData("bachelor", True, 4, "Completed bachelor."), submit=True)
    assert disagreement(assessment) == []  # the second has not concluded yet
    save_conclusion(world.ev2, case, assessment,
                    ConclusionData("short_cycle", True, 4, "Short-cycle only."), submit=True)
    assert disagreement(assessment) == ["level"]


def test_agreeing_conclusions_are_no_disagreement(world):
    case, assessment = _draft(world)
    for evaluator, words in ((world.ev1, "Yes."), (world.ev2, "Agreed, other wording.")):
        save_conclusion(evaluator, case, assessment,
                        ConclusionData("bachelor", True, 4, words), submit=True)
    assert disagreement(assessment) == []


def test_only_the_case_evaluators_may_conclude(world):
    case, assessment = _draft(world)
    with pytest.raises(PermissionRefused):
        save_conclusion(world.ev3, case, assessment,
                        ConclusionData("bachelor", True, 4, "Not mine."), submit=True)
