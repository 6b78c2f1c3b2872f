"""tests.queries.expect_queries, the helper of the query-count tests: exact, and true to the
tables it names."""

import pytest

from agencies.models import Agency
from tests.queries import expect_queries, target

pytestmark = pytest.mark.django_db


def test_the_named_queries_pass():
    with expect_queries("agency: the agencies", "agency: their number"):
        list(Agency.objects.all())
        Agency.objects.count()


def test_a_query_more_fails_and_shows_it_beside_the_names():
    with pytest.raises(pytest.fail.Exception) as failure, expect_queries("agency: the agencies"):
        list(Agency.objects.all())
        Agency.objects.count()
    report = str(failure.value)
    assert "1 queries named, 2 run" in report
    assert "!!  2. (not named)" in report
    assert 'SELECT COUNT(*) AS "__count" FROM "agencies_agency"' in report


def test_a_query_on_another_table_than_named_fails():
    wrong = pytest.raises(pytest.fail.Exception, match=r"!!  1\. placement: the placements")
    with wrong, expect_queries("placement: the placements"):
        list(Agency.objects.all())


def test_a_step_without_its_table_is_refused():
    refused = pytest.raises(AssertionError, match="starts with its table")
    with refused, expect_queries("the agencies"):
        list(Agency.objects.all())


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('SELECT "a"."id", "a"."x" FROM "accounts_agency" WHERE 1', "accounts_agency"),
        (
            'SELECT COUNT(*) FROM (SELECT "t"."id" FROM "accounts_placement") sub',
            "accounts_placement",
        ),
        ('INSERT INTO "notifications_slotrun" ("id") VALUES (1)', "notifications_slotrun"),
        ('UPDATE "timesheets_werkbrief" SET "status" = 1', "timesheets_werkbrief"),
        ('DELETE FROM "django_session" WHERE 1', "django_session"),
        ('SAVEPOINT "s1_x1"', "SAVEPOINT"),
        ('RELEASE SAVEPOINT "s1_x1"', "RELEASE"),
    ],
)
def test_a_querys_table_is_the_first_it_reads_or_writes(sql, table):
    assert target(sql) == table
