"""The pieces of the load test (issue 19 item 5) that decide its verdict:
the people it signs in as, the read-back of every write, Locust's figures
and the section of docs/bench.md."""

from pathlib import Path

import pytest
from django.contrib.auth import authenticate

from xieguan.accounts.models import RoleCode, User
from xieguan.demo.load_check import (
    SECTION_END,
    SECTION_START,
    Row,
    Run,
    WriteCheck,
    confirm_writes,
    read_stats,
    render_section,
    replace_section,
)
from xieguan.demo.load_users import LOAD_PASSWORD, ensure_load_users
from xieguan.demo.province import make_province
from xieguan.inspections.tests.factories import plain_unit, submitted


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_forty_people_of_every_level_made_once(db, rf):
    make_province(units=50, counties=2, seed=3)
    logins = ensure_load_users()
    kinds = [x.kind for x in logins]
    assert len(logins) == 40 and len({x.username for x in logins}) == 40
    assert (kinds.count("comanager"), kinds.count("supervisor"), kinds.count("leader"), kinds.count("higher")) == (
        24,
        8,
        4,
        4,
    )
    by_id = {str(u.pk): u for u in User.objects.filter(username__startswith="load_").select_related("institution")}
    for login in logins:
        user = by_id[login.user_id]
        assert str(user.institution.area_id) == login.area_id
        if login.kind == "comanager":
            partner = by_id[login.partner_id]
            assert partner.pk != user.pk and partner.institution_id == user.institution_id
            assert set(user.roles.values_list("code", flat=True)) == {RoleCode.COMANAGER}
    assert authenticate(rf.post("/"), username=logins[0].username, password=LOAD_PASSWORD) is not None
    # Again: the same people, nobody new.
    assert ensure_load_users() == logins
    assert User.objects.filter(username__startswith="load_").count() == 40


def test_no_province_no_people(db):
    with pytest.raises(RuntimeError):
        ensure_load_users()


def _ledger_of(inspection):
    return {
        str(inspection.pk): {
            "client_id": str(inspection.pk),
            "answers": inspection.answers.count(),
            "photo_ids": [str(p.pk) for p in inspection.photos.all()],
            "signatures": inspection.signatures.count(),
            "submitted": True,
        }
    }


def test_every_write_is_read_back(demo, media, comanager_in, township):
    done = submitted(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    ledger = _ledger_of(done)
    check = confirm_writes(ledger, media)
    # the record, its answers, two photos, three signatures, the submit
    assert (check.made, check.confirmed, check.missing) == (8, 8, [])


def test_a_lost_write_is_named(demo, media, comanager_in, township):
    done = submitted(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    ledger = _ledger_of(done)
    photo = done.photos.first()
    (media / photo.image.name).unlink()  # its file is gone
    ledger["00000000-0000-4000-8000-000000000000"] = {"photo_ids": [], "signatures": 0, "submitted": False}
    ledger[str(done.pk)]["signatures"] = 4  # the run was told a fourth signature was kept
    check = confirm_writes(ledger, media)
    assert check.made == 10 and check.confirmed == 7
    assert check.missing == [
        f"photo {photo.pk}",
        f"signature 4 of {done.pk}",
        "inspection 00000000-0000-4000-8000-000000000000",
    ]


def test_writes_are_read_back_from_the_object_store_the_cluster_used(demo, media, comanager_in, township):
    done = submitted(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    ledger = _ledger_of(done)
    kept, lost = done.photos.all()[:2]
    in_bucket = {kept.image.name}  # what the bucket answers holds
    check = confirm_writes(ledger, in_bucket.__contains__)
    assert (check.made, check.confirmed, check.missing) == (8, 7, [f"photo {lost.pk}"])


def test_a_draft_left_when_the_run_stopped_is_not_a_lost_submit(demo, media, comanager_in, township):
    done = submitted(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    ledger = _ledger_of(done)
    ledger[str(done.pk)]["submitted"] = False
    assert confirm_writes(ledger, media).made == 7


STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,page: home,120,0,80,95.5,40,900,20000,0.66,0.0,80,90,100,110,150,210,300,420,900,900,900
POST,api: photo,30,1,200,230.1,120,1500,150,0.16,0.01,200,220,240,250,300,610,900,1500,1500,1500,1500
,Aggregated,150,1,90,120.2,40,1500,16000,0.83,0.01,90,100,120,130,200,320,600,900,1500,1500,1500
"""


def _run(tmp_path: Path, writes: WriteCheck) -> Run:
    (tmp_path / "s.csv").write_text(STATS, encoding="utf-8")
    return Run(
        rows=read_stats(tmp_path / "s.csv"),
        writes=writes,
        users=40,
        target_rps=50,
        duration="3m",
        workers=3,
        cpus=2,
        load_before=(1.0, 2.0, 3.0),
        load_after=(4.0, 5.0, 6.0),
        load_peak=7.5,
        when="2026-12-06",
        inspections=3,
        submitted=2,
    )


def test_locust_figures_and_the_verdict(tmp_path):
    run = _run(tmp_path, WriteCheck(made=5, confirmed=5))
    assert run.rows[1] == Row("api: photo", 30, 1, 0.16, 200, 610, 1500)
    assert run.total.name == "Aggregated" and run.total.p95 == 320
    assert run.verdicts() == {"errors": False, "p95": True, "writes": True}
    lost = _run(tmp_path, WriteCheck(made=5, confirmed=4, missing=["photo x"]))
    assert lost.verdicts()["writes"] is False
    assert _run(tmp_path, WriteCheck()).verdicts()["writes"] is False  # a run that wrote nothing proves nothing


def test_the_section_is_replaced_not_repeated(tmp_path):
    section = render_section(_run(tmp_path, WriteCheck(made=5, confirmed=4, missing=["photo x"])))
    assert "| api: photo | 30 | 1 | 0.2 | 200 ms | 610 ms | 1,500 ms |" in section
    assert "| 0 errors | 1 failed of 150 | **no** |" in section
    assert "4/5 writes confirmed | **no** |" in section and "photo x" in section
    assert "2 CPUs" in section and "before 1.0, 2.0, 3.0" in section
    document = "# Benchmark\n\ntext\n"
    once = replace_section(document, section)
    again = replace_section(once, section.replace("2026-12-06", "2026-12-07"))
    assert again.count(SECTION_START) == 1 and again.count(SECTION_END) == 1
    assert again.startswith(document) and "2026-12-07" in again and "2026-12-06" not in again


def test_the_bench_report_keeps_the_sections_after_its_own(tmp_path):
    from xieguan.demo.management.commands.bench import _kept_after_command

    report = tmp_path / "bench.md"
    assert _kept_after_command(report) == ""
    report.write_text(
        "# Benchmark\n\n| old figures |\n\nThese figures: `manage.py bench --runs 15`.\n\n## Field app\n\nkept\n"
        + SECTION_START
        + "\nload\n"
        + SECTION_END
        + "\n",
        encoding="utf-8",
    )
    kept = _kept_after_command(report)
    assert "old figures" not in kept and kept.startswith("\n## Field app\n\nkept\n")
    assert SECTION_START in kept and SECTION_END in kept
