"""CAO schemes in the portal: versions validated on save with every problem at its path,
import and export of the JSON, the example loader, and the cao_unravel command."""

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.cao_examples import EXAMPLES
from timesheets import services
from timesheets.models import CaoScheme, CaoSchemeVersion

URLCONF = "flexportal.urls"


def _case_scheme(case):
    scheme = copy.deepcopy(EXAMPLES["schemes"][case["scheme_id"]])
    scheme.update(case.get("scheme_variant") or {})
    return scheme


def _broken(doc=None):
    doc = copy.deepcopy(doc or EXAMPLES["schemes"]["A"])
    doc["ort"]["windows"][0]["to"] = "25:00"
    doc["normal_bucket"] = "nope"
    del doc["timezone"]
    return doc


@pytest.mark.django_db
def test_an_invalid_version_is_refused_with_every_problem_at_its_path(tenant_a):
    with tenant_a.scope():
        scheme = CaoScheme.objects.create(agency=tenant_a.agency, name="Kapot")
        with pytest.raises(ValidationError) as raised:
            services.cao_scheme_version_add(
                scheme=scheme, valid_from=dt.date(2026, 1, 1), document=_broken()
            )
        assert not CaoSchemeVersion.objects.exists()
    messages = raised.value.message_dict["document"]
    assert any(m.startswith("$.ort.windows[0].to") for m in messages)
    assert any(m.startswith("$.normal_bucket") for m in messages)
    assert any(m.startswith("$.timezone") for m in messages)


@pytest.mark.django_db
def test_the_admin_form_shows_the_problems_at_the_document_field(tenant_a):
    with tenant_a.scope():
        scheme = CaoScheme.objects.create(agency=tenant_a.agency, name="Bouw")
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_caoscheme_change", args=[scheme.pk], urlconf=URLCONF)
    data = {
        "name": "Bouw",
        "description": "",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-valid_from": "2026-01-01",
        "versions-0-document": json.dumps(_broken()),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "$.ort.windows[0].to" in html and "$.normal_bucket" in html


@pytest.mark.django_db
def test_a_scheme_is_imported_and_exported_as_json(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_caoscheme_import", urlconf=URLCONF)
    document = EXAMPLES["schemes"]["B"]
    upload = SimpleUploadedFile("b.json", json.dumps(document).encode(), "application/json")
    response = client.post(url, {"file": upload, "valid_from": "2026-01-01", "name": ""})
    assert response.status_code == 302
    with tenant_a.scope():
        scheme = CaoScheme.objects.get(name=document["name"])
    changelist = reverse("admin:timesheets_caoscheme_changelist", urlconf=URLCONF)
    exported = client.post(
        changelist, {"action": "export_json", "_selected_action": [str(scheme.pk)]}
    )
    assert exported["Content-Type"].startswith("application/json")
    assert json.loads(exported.content) == document


@pytest.mark.django_db
def test_an_invalid_import_lists_the_problems_at_the_file_field(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_caoscheme_import", urlconf=URLCONF)
    upload = SimpleUploadedFile("x.json", json.dumps(_broken()).encode(), "application/json")
    response = client.post(url, {"file": upload, "valid_from": "2026-01-01", "name": "X"})
    errors = response.context["form"].errors["file"]
    assert any("$.normal_bucket" in e for e in errors)
    junk = SimpleUploadedFile("x.json", b"not json", "application/json")
    response = client.post(url, {"file": junk, "valid_from": "2026-01-01", "name": "X"})
    assert "file" in response.context["form"].errors


@pytest.mark.django_db
def test_the_example_schemes_load_once_as_examples(tenant_a):
    call_command("load_example_schemes", tenant_a.agency.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_example_schemes", tenant_a.agency.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with tenant_a.scope():
        schemes = list(CaoScheme.objects.all())
        assert len(schemes) == 3 and all(s.is_example for s in schemes)
        assert CaoSchemeVersion.objects.count() == 3


def _run_command(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "cao_unravel", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
        check=False,
    )


def _call(*args) -> object:
    import io

    out = io.StringIO()
    call_command("cao_unravel", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("case", EXAMPLES["cases"], ids=lambda c: c["name"])
def test_every_example_case_passes_through_the_command(tmp_path, case):
    scheme_file = tmp_path / "scheme.json"
    scheme_file.write_text(json.dumps(_case_scheme(case)))
    input_file = tmp_path / "input.json"
    input_file.write_text(json.dumps(case["input"]))
    assert _call(str(scheme_file), str(input_file)) == case["expected"]


def test_a_list_of_inputs_gives_a_list_of_outputs_in_order(tmp_path):
    # A list of inputs gives a list of outputs in the same order (all under scheme A here).
    a_cases = [c for c in EXAMPLES["cases"] if c["scheme_id"] == "A" and not c["scheme_variant"]]
    many = tmp_path / "many.json"
    many.write_text(json.dumps([c["input"] for c in a_cases]))
    scheme_a = tmp_path / "a.json"
    scheme_a.write_text(json.dumps(EXAMPLES["schemes"]["A"]))
    assert _call(str(scheme_a), str(many)) == [c["expected"] for c in a_cases]


def test_the_command_exits_2_with_the_problems_of_an_invalid_scheme(tmp_path):
    scheme = tmp_path / "bad.json"
    scheme.write_text(json.dumps(_broken()))
    given = tmp_path / "in.json"
    given.write_text(json.dumps(EXAMPLES["cases"][0]["input"]))
    result = _run_command(str(scheme), str(given))
    assert result.returncode == 2
    assert "$.normal_bucket" in result.stderr and "$.ort.windows[0].to" in result.stderr


def test_the_command_exits_2_on_an_unreadable_file(tmp_path):
    result = _run_command(str(tmp_path / "missing.json"), str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_a_domain_error_is_part_of_the_json_with_exit_0(tmp_path):
    scheme = tmp_path / "a.json"
    scheme.write_text(json.dumps(EXAMPLES["schemes"]["A"]))
    given = tmp_path / "in.json"
    bad_break = {
        "worker": {"contract": {"hours_per_week": 40, "fixed_times": True}},
        "shifts": [{"date": "2026-06-09", "start": "07:00", "end": "08:00", "break_minutes": 90}],
    }
    given.write_text(json.dumps(bad_break))
    result = _run_command(str(scheme), str(given))
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "buckets": {},
        "warnings": [],
        "error": "BREAK_EXCEEDS_SHIFT",
    }
