"""The load of issue 19 item 5, for Locust (run by ``manage.py load_test``,
which starts the servers and prepares the people; see docs/bench.md).

Each simulated user is one of the people ``ensure_load_users`` made (the
file named by LOAD_USERS), signs in on the page as a person does, takes a
token for the API as the field app does (POST /m/token), and then does one
request per turn, so that ``constant_throughput`` sets the rate of requests:
LOAD_RPS spread over the users. A co-manager's turn is often the next step
of the inspection they are filing through the API (create with their own
UUID, the answers, two photos, three signatures, submit); otherwise they
browse, as the county, the city and the province do. Every write answered
2xx is written to the ledger (LOAD_LEDGER) when the run stops, so that the
command can read each one back from the database."""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from locust import HttpUser, constant_throughput, events, task
from PIL import Image

USERS = int(os.environ.get("LOAD_USER_COUNT", "40"))
RPS = float(os.environ.get("LOAD_RPS", "50"))
LOGINS: list[dict[str, Any]] = json.loads(open(os.environ["LOAD_USERS"], encoding="utf-8").read())
PASSWORD = os.environ["LOAD_PASSWORD"]
# The app servers of the cluster (LOAD_HOSTS, comma-separated): each person
# stays on one, in turn, as a load balancer with sticky sessions would do.
HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
_next_login = itertools.count()
_lock = threading.Lock()
LEDGER: dict[str, dict[str, Any]] = {}  # inspection id → what the run wrote to it
SEARCHES = ["饭店", "宾馆", "美容", "理发", "超市", "诊所", "学校", "泳池", "yd", "jd"]

# What each kind of person does in a turn, with its weight.
MIX = {
    "comanager": {"file": 40, "home": 10, "units": 12, "search": 6, "unit": 18, "inspections": 8, "due": 6},
    "supervisor": {"home": 20, "units": 20, "search": 10, "unit": 25, "inspections": 10, "overview": 15},
    "leader": {"home": 30, "overview": 45, "units": 10, "unit": 15},
    "higher": {"home": 20, "overview": 20, "units": 25, "search": 10, "unit": 25},
}


def photo_bytes(seed: int) -> bytes:
    """A phone photo as the field app sends it (shrunk to 1280 px, JPEG)."""
    rng = random.Random(seed)
    image = Image.effect_noise((1280, 960), 30).convert("RGB")
    tint = Image.new("RGB", image.size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    Image.blend(image, tint, 0.6).save(out, "JPEG", quality=80)
    return out.getvalue()


def signature_bytes() -> bytes:
    from PIL import ImageDraw

    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 80), (90, 30), (160, 90), (280, 40)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


SIGNATURE = signature_bytes()


def record(inspection_id: str, **changes: Any) -> None:
    with _lock:
        entry = LEDGER.setdefault(inspection_id, {"photo_ids": [], "signatures": 0, "submitted": False})
        if "photo_id" in changes:
            if changes["photo_id"] not in entry["photo_ids"]:
                entry["photo_ids"].append(changes.pop("photo_id"))
            else:
                changes.pop("photo_id")
        if changes.pop("signature", False):
            entry["signatures"] += 1
        entry.update(changes)


@events.test_stop.add_listener
def write_ledger(**_kwargs: Any) -> None:
    path = os.environ.get("LOAD_LEDGER")
    if path:
        with _lock, open(path, "w", encoding="utf-8") as out:
            json.dump(LEDGER, out, ensure_ascii=False, indent=1)


class Person(HttpUser):
    wait_time = constant_throughput(RPS / USERS)

    def on_start(self) -> None:
        n = next(_next_login)
        self.me = LOGINS[n % len(LOGINS)]
        if HOSTS:
            self.client.base_url = HOSTS[n % len(HOSTS)]
        self.units: list[str] = []
        self.filing: list[Any] = []  # the steps left of the inspection underway
        self.photo = photo_bytes(hash(self.me["username"]))
        page = self.client.get("/accounts/login/", name="sign in (page)")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.me["username"], "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": page.url},
            name="sign in",
            catch_response=True,
        ) as answer:
            if "/accounts/login/" in answer.url:
                answer.failure("sign-in refused")
        answer = self.client.post(
            "/m/token", headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")}, name="api: token"
        )
        self.api = {"Authorization": f"Bearer {answer.json()['token']}"}
        units = self.client.get("/api/units?limit=100", headers=self.api, name="api: units")
        # Units still open: a closed one is refused an inspection, as it should be.
        self.units = [u["id"] for u in units.json()["items"] if u.get("status") != "closed"]

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
            elif "/accounts/" in answer.url:
                answer.failure(f"sent to {answer.url}")

    @task
    def turn(self) -> None:
        mix = MIX[self.me["kind"]]
        action = random.choices(list(mix), list(mix.values()))[0]
        if action == "file":
            self.file_step()
        elif action == "home":
            self.page("/", "page: home")
        elif action == "units":
            self.page("/units/", "page: unit list")
        elif action == "search":
            self.page(f"/units/?q={random.choice(SEARCHES)}", "page: unit search")
        elif action == "unit":
            self.page(f"/units/{random.choice(self.units)}/", "page: unit file")
        elif action == "inspections":
            self.page("/inspections/", "page: inspection list")
        elif action == "due":
            self.page("/inspections/due/", "page: due this month")
        elif action == "overview":
            # Their own county, their city, or the province's first city.
            self.page("/monthly/overview/", "page: month overview")

    # Filing an inspection through the API, one request a turn.
    def file_step(self) -> None:
        if not self.filing:
            self.filing = [self.create]
        step = self.filing.pop(0)
        step()

    def api_call(self, method: str, url: str, name: str, **kwargs: Any) -> Any:
        with self.client.request(method, url, headers=self.api, name=name, catch_response=True, **kwargs) as answer:
            if answer.status_code not in (200, 201):
                answer.failure(f"{answer.status_code} {answer.text[:300]}")
                self.filing = []  # start a new record next time rather than build on a failed one
                return None
            return answer.json()

    def create(self) -> None:
        body = {
            "id": str(uuid.uuid4()),
            "unit_id": random.choice(self.units),
            "started_at": datetime.now(UTC).isoformat(),
            "inspector_ids": [self.me["user_id"], self.me["partner_id"]],
            "place": "现场",
        }
        made = self.api_call("POST", "/api/inspections", "api: create inspection", json=body)
        if made is None:
            return
        pk = made["id"]
        record(pk, unit_id=made["unit_id"], by=self.me["username"], client_id=body["id"])
        answers = [{"item_id": a["item_id"], "result": "conforms", "note": ""} for a in made["answers"]]
        self.filing = [
            lambda: self.patch(pk, answers),
            lambda: self.add_photo(pk),
            lambda: self.add_photo(pk),
            lambda: self.sign(pk, {"role": "inspector", "user_id": self.me["user_id"]}),
            lambda: self.sign(pk, {"role": "inspector", "user_id": self.me["partner_id"]}),
            lambda: self.sign(pk, {"role": "representative", "refused": "true"}),
            lambda: self.submit(pk),
        ]

    def patch(self, pk: str, answers: list[dict[str, Any]]) -> None:
        body = {"answers": answers, "overall_result": "conforming", "representative": "负责人"}
        if self.api_call("PATCH", f"/api/inspections/{pk}", "api: save answers", json=body) is not None:
            record(pk, answers=len(answers))

    def add_photo(self, pk: str) -> None:
        files = {"image": ("photo.jpg", self.photo, "image/jpeg")}
        made = self.api_call(
            "POST", f"/api/inspections/{pk}/photos", "api: photo", files=files, data={"id": str(uuid.uuid4())}
        )
        if made is not None:
            record(pk, photo_id=made["id"])

    def sign(self, pk: str, data: dict[str, str]) -> None:
        files = {"image": ("signature.png", SIGNATURE, "image/png")} if data.get("refused") != "true" else None
        if self.api_call("POST", f"/api/inspections/{pk}/signatures", "api: signature", data=data, files=files):
            record(pk, signature=True)

    def submit(self, pk: str) -> None:
        done = self.api_call("POST", f"/api/inspections/{pk}/submit", "api: submit")
        if done is not None and done["status"] == "submitted":
            record(pk, submitted=True)
