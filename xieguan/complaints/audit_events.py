"""The audit events of complaints, named for the audit-log page. Imported
by ComplaintsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Complaints"),
    {
        "complaint.file": _("Complaint sent from the public page"),
        "complaint.register": _("Complaint registered"),
        "complaint.add_info": _("Complainant added information"),
        "complaint.reopen": _("Complainant reopened the complaint"),
        "complaint.accept": _("Complaint accepted"),
        "complaint.not_accept": _("Complaint not accepted"),
        "complaint.transfer": _("Complaint transferred to the county"),
        "complaint.result": _("Result of handling recorded"),
        "complaint.reply": _("Complainant replied to"),
        "complaint.archive": _("Complaint archived"),
        "complaint.link_duplicate": _("Complaint linked as a duplicate"),
        "complaint.link": _("Complaint tied to its unit, inspection or opinion"),
        "complaint.view_contact": _("Complainant's contact details viewed"),
        "complaint_settings.update": _("Complaint time limits changed"),
        "calendar_override.set": _("Working day set"),
        "calendar_override.delete": _("Working day back to the national schedule"),
        "pending_upload.keep": _("Photo of an unsent complaint form kept"),
        "pending_upload.discard": _("Kept photo of a complaint form deleted"),
    },
)
