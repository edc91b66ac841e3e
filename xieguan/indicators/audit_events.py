"""The audit events of the indicators app, named for the audit-log page."""

from xieguan.core.audit import register_events

register_events("指标与地图", {"boundary.upload": "区域边界已上传"})
