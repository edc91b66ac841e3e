"""The audit events of assessments and funds, named for the audit-log page."""

from xieguan.core.audit import register_change_labels, register_events

register_events(
    "绩效考核与经费",
    {
        "population.save": "服务人口已保存",
        "population.import": "服务人口已导入",
        "scheme.create": "考核方案已创建",
        "scheme.publish": "考核方案已启用",
        "scheme.revise": "考核方案新版本已创建",
        "scheme_item.create": "考核项目已添加",
        "scheme_item.delete": "考核项目已删除",
        "assessment.create": "考核已发起",
        "assessment.start": "考核已开始评分",
        "assessment.compute": "自动项目已计算",
        "assessment.release": "考核结果已公布",
        "assessment.finalise": "考核结果已定稿",
        "assessment.bulletin": "考核通报已保存",
        "assessment.bulletin_publish": "考核通报已发布",
        "assessment.allocate": "经费已分配",
        "item_score.assign": "评分人已指定",
        "item_score.score": "考核项目已评分",
        "deduction.create": "扣分或一票否决已记录",
        "appeal.create": "申诉已提交",
        "appeal.answer": "申诉已答复",
        "station_visit.create": "督导检查已记录",
    },
)
register_change_labels({"rows": "行数", "items": "考核项目", "areas": "被考核单位", "reviewers": "评分人"})
