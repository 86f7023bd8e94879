"""Helpers for the review tests: cases with two evaluator conclusions, a second coordinator."""

from __future__ import annotations

from passport.auth.models import Role


def second_coordinator(world, email="coord3@test.org", name="Nora Coord"):
    """Another coordinator of EQPR (the appeals go to someone who did not decide)."""
    from passport.auth.services import create_user
    from tests.conftest import PASSWORD

    return create_user(email, name, [Role.COORDINATOR], PASSWORD, centre=world.doatap,
                       schemes=[world.eqpr])


def case_with_conclusions(world, first_level="bachelor", second_level="bachelor", **kwargs):
    """A submitted case where each evaluator wrote and submitted their own conclusion."""
    from passport.interviews.conclusions import ConclusionData, save_conclusion
    from passport.interviews.services import current_assessment, save_assessment
    from tests.conftest import assessment_data

    case = world.assigned_case(**kwargs)
    save_assessment(world.ev1, case, assessment_data(), submit=False)
    assessment = current_assessment(case)
    for person, level in ((world.ev1, first_level), (world.ev2, second_level)):
        save_conclusion(person, case, assessment,
                        ConclusionData(level, True, 4, f"{person.name} concludes {level}."),
                        submit=True)
    save_assessment(world.ev1, case, assessment_data(), submit=True)
    return case
