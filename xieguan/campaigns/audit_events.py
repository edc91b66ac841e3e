"""The audit events of special campaigns and 双随机 draws, named for the
audit-log page. Imported by CampaignsConfig.ready()."""

from xieguan.core.audit import register_change_labels, register_events

register_events(
    "专项检查与双随机",
    {
        "campaign.create": "专项检查已创建",
        "campaign.targets_add": "专项检查对象已添加",
        "campaign.targets_remove": "重抽后原抽取的未检对象已移出",
        "campaign.summary": "专项检查总结已保存",
        "campaign.close": "专项检查已结束",
        "campaign_target.remove": "专项检查对象已移出",
        "campaign_target.record": "专项检查对象已记录检查",
        "draw.create": "双随机抽取已完成",
        "draw.publish": "双随机结果已公开",
        "draw_conflict.create": "回避关系已申报",
        "draw_conflict.remove": "回避关系已撤销",
        "campaign_material.add": "专项检查材料已上传",
        "campaign_settings.save": "双随机设置已保存",
    },
)
register_change_labels(
    {
        "targets": "检查对象",
        "subtypes": "细分类型",
        "assignees": "承办人员",
        "pool_size": "备选单位数",
        "picked": "抽中单位",
    }
)
