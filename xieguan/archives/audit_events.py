"""The audit events of the archives, named for the audit-log page."""

from xieguan.core.audit import register_change_labels, register_events

register_events(
    "档案",
    {
        "document.upload": "资料已上传",
        "document.version": "资料新版本已上传",
        "upper_document.issue": "上级文件已下发",
        "upper_document.read": "上级文件已阅读",
        "upper_document.acknowledge": "上级文件已签收",
        "year.close": "年度已归档关闭",
        "year.reopen_request": "已申请重新开放年度",
        "year.reopen": "年度已重新开放",
        "year_package.start": "年度档案包开始生成",
    },
)
register_change_labels({"version": "版本", "recipients": "接收单位"})
