"""Background work of the archives (run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_year_package_task(package_id: str) -> None:
    """Build a year package (see xieguan.archives.package.build)."""
    from xieguan.archives.models import PackageStatus, YearPackage
    from xieguan.archives.package import build

    package = YearPackage.objects.select_related("area", "created_by").filter(pk=package_id).first()
    if package is not None and package.status in (PackageStatus.QUEUED, PackageStatus.FAILED):
        build(package)
