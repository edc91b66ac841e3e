"""Page route → the API operations that do what the page offers (issue 19
item 2), for the apps inspections, reports, monthly, outreach and complaints.
A value is the list of operations ("METHOD /api/path" as in
/api/openapi.json), or a reason starting with "no action:" for a page that
offers nothing an API client lacks. Read by the parity test."""

PARITY: dict[str, list[str] | str] = {
    # inspections
    "inspections:list": ["GET /api/inspections"],
    "inspections:due": ["GET /api/patrol-due"],
    "inspections:create": ["POST /api/inspections"],
    "inspections:register": [
        "GET /api/patrol-register/{institution_id}.xlsx",
        "GET /api/patrol-register/{institution_id}.pdf",
    ],
    "inspections:plan": [
        "GET /api/monthly-plans",
        "GET /api/monthly-plans/{plan_id}",
        "POST /api/monthly-plans",
        "POST /api/monthly-plans/{plan_id}/units",
        "DELETE /api/monthly-plans/{plan_id}/units/{unit_id}",
    ],
    "inspections:settings": [
        "GET /api/frequency-rules",
        "PUT /api/frequency-rules",
        "DELETE /api/frequency-rules/{rule_id}",
        "GET /api/forbidden-phrases",
        "POST /api/forbidden-phrases",
        "DELETE /api/forbidden-phrases/{phrase_id}",
    ],
    "inspections:photo": "no action: the image file of a photo the record's answer lists by id (photo_ids); "
    "the API takes photos (POST .../photos) but serves no image bytes",
    "inspections:signature": "no action: the image file of a signature; the API takes signatures "
    "(POST /api/inspections/{inspection_id}/signatures) but serves no image bytes",
    "inspections:detail": ["GET /api/inspections/{inspection_id}"],
    "inspections:autosave": ["PATCH /api/inspections/{inspection_id}"],
    "inspections:photo_add": ["POST /api/inspections/{inspection_id}/photos", "POST /api/uploads"],
    "inspections:sign": [
        "POST /api/inspections/{inspection_id}/signatures",
        "POST /api/inspections/{inspection_id}/submit",
    ],
    "inspections:correct": ["POST /api/inspections/{inspection_id}/corrections"],
    "inspections:pdf": "no action: the record printed for the unit to keep; the record's data is "
    "GET /api/inspections/{inspection_id}",
    "inspections:opinion_create": ["POST /api/opinions"],
    "inspections:opinions": ["GET /api/opinions"],
    "inspections:opinion": ["GET /api/opinions/{opinion_id}"],
    "inspections:opinion_pdf": "no action: the 意见书 printed for the unit; its data is GET /api/opinions/{opinion_id}",
    "inspections:reinspection_create": ["POST /api/reinspections"],
    "inspections:reinspection": [
        "GET /api/reinspections/{reinspection_id}",
        "POST /api/reinspections/{reinspection_id}/photos",
    ],
    "inspections:handovers": ["GET /api/handovers"],
    "inspections:handover_create": ["POST /api/handovers"],
    "inspections:handover": ["GET /api/handovers/{handover_id}", "POST /api/handovers/{handover_id}/outcome"],
    "inspections:checklists": ["GET /api/checklists", "POST /api/checklists"],
    "inspections:checklist_new": ["POST /api/checklists"],
    "inspections:checklist": [
        "GET /api/checklists/{checklist_id}",
        "PUT /api/checklists/{checklist_id}/items",
        "POST /api/checklists/{checklist_id}/publish",
    ],
    # reports
    "reports:list": ["GET /api/reports"],
    "reports:create": ["POST /api/reports"],
    "reports:indicators": ["GET /api/report-indicators"],
    "reports:zero": ["GET /api/zero-reports", "POST /api/zero-reports"],
    "reports:register": [
        "GET /api/report-register/{institution_id}.xlsx",
        "GET /api/report-register/{institution_id}.pdf",
    ],
    "reports:categories": ["GET /api/report-categories"],
    "reports:category_create": ["POST /api/report-categories"],
    "reports:category_edit": ["PUT /api/report-categories/{code}"],
    "reports:exposed_list": ["GET /api/exposed-people"],
    "reports:exposed_create": ["POST /api/exposed-people"],
    "reports:exposed_detail": ["GET /api/exposed-people/{person_id}"],
    "reports:photo": "no action: the image file of a report's photo (photo_ids of GET /api/reports/{report_id}); "
    "the API takes photos but serves no image bytes",
    "reports:detail": ["GET /api/reports/{report_id}"],
    "reports:link": ["POST /api/reports/{report_id}/links"],
    "reports:step": [
        "POST /api/reports/{report_id}/verify",
        "POST /api/reports/{report_id}/forward",
        "POST /api/reports/{report_id}/close-unforwarded",
        "POST /api/reports/{report_id}/handle",
        "POST /api/reports/{report_id}/feedback",
        "POST /api/reports/{report_id}/close",
    ],
    # monthly
    "monthly:index": "no action: sends the user to their township's report of the month due "
    "(GET /api/monthly-reports lists them)",
    "monthly:review": ["GET /api/monthly-reports"],
    "monthly:rates": ["GET /api/monthly-rates"],
    "monthly:settings": ["GET /api/monthly-settings/{county_id}", "PUT /api/monthly-settings/{county_id}"],
    "monthly:overview": ["GET /api/monthly-overview"],
    "monthly:overview_drill": ["GET /api/monthly-overview/{area_id}/{year}/{month}/opinions"],
    "monthly:summary": [
        "GET /api/monthly-summaries/{township_id}/{year}",
        "POST /api/monthly-summaries/{township_id}/{year}/document",
    ],
    "monthly:report": ["GET /api/monthly-reports/{report_id}"],
    "monthly:submit": ["POST /api/monthly-reports", "POST /api/monthly-reports/{report_id}/submit"],
    "monthly:workbook_xlsx": ["GET /api/monthly-reports/{report_id}/workbook.xlsx"],
    "monthly:workbook_pdf": ["GET /api/monthly-reports/{report_id}/workbook.pdf"],
    "monthly:return": ["POST /api/monthly-reports/{report_id}/return"],
    "monthly:approve": ["POST /api/monthly-reports/{report_id}/approve"],
    "monthly:unlock_request": ["POST /api/monthly-reports/{report_id}/unlock-request"],
    "monthly:unlock_grant": ["POST /api/monthly-reports/{report_id}/unlock-grant"],
    "monthly:cell": ["GET /api/monthly-cells/{township_id}/{year}/{month}/{row}/{column}/{period}"],
    # outreach
    "outreach:list": ["GET /api/outreach"],
    "outreach:create": ["POST /api/outreach"],
    "outreach:due": "no action: a read-only view of each township's quarterly publicity and training; "
    "the hours behind it are GET /api/training-hours",
    "outreach:photo": "no action: the image file of a publicity photo; GET /api/outreach/{record_id}/photos "
    "lists them, no operation serves the bytes",
    "outreach:detail": ["GET /api/outreach/{record_id}", "GET /api/outreach/{record_id}/photos"],
    "outreach:edit": ["PATCH /api/outreach/{record_id}", "POST /api/outreach/{record_id}/photos"],
    "outreach:delete": ["DELETE /api/outreach/{record_id}"],
    "outreach:training_list": ["GET /api/trainings"],
    "outreach:training_create": ["POST /api/trainings"],
    "outreach:hours": ["GET /api/training-hours"],
    "outreach:hours_person": ["GET /api/training-hours/{person_id}"],
    "outreach:training_detail": ["GET /api/trainings/{training_id}", "POST /api/trainings/{training_id}/attendance"],
    "outreach:training_edit": ["PATCH /api/trainings/{training_id}"],
    "outreach:training_delete": ["DELETE /api/trainings/{training_id}"],
    "outreach:training_guest": ["POST /api/trainings/{training_id}/guests"],
    "outreach:training_sign_in": "no action: the QR code's public sign-in page for people in the room; "
    "a trainer registers the same attendance with POST /api/trainings/{training_id}/attendance or /guests",
    # complaints: the public's pages
    "complaints:new": ["GET /api/public/captcha", "POST /api/public/complaints"],
    "complaints:filed": "no action: the receipt shown once after filing; POST /api/public/complaints answers it",
    "complaints:public_villages": "no action: the public form's village picker (an htmx fragment); "
    "GET /api/areas serves areas to signed-in clients",
    "complaints:public_units": "no action: the public form's unit search (an htmx fragment)",
    "complaints:track": ["GET /api/public/complaints/{receipt}"],
    "complaints:track_status": ["GET /api/public/complaints/{receipt}"],
    "complaints:track_add": "no action: the public adding to their complaint by receipt and PIN; "
    "not yet an API operation (GET /api/public/complaints/{receipt} only reads)",
    "complaints:track_reopen": "no action: the public reopening by receipt and PIN; "
    "not yet an API operation (GET /api/public/complaints/{receipt} only reads)",
    # complaints: staff
    "complaints:list": ["GET /api/complaints"],
    "complaints:export": ["GET /api/complaints/export.xlsx"],
    "complaints:settings": [
        "GET /api/complaint-settings",
        "PUT /api/complaint-settings",
        "GET /api/calendar-overrides",
        "PUT /api/calendar-overrides/{date}",
        "DELETE /api/calendar-overrides/{date}",
    ],
    "complaints:register": ["POST /api/complaints"],
    "complaints:units": "no action: the staff form's unit search (an htmx fragment); GET /api/units?q= searches",
    "complaints:villages": "no action: the staff form's village picker (an htmx fragment); GET /api/areas lists them",
    "complaints:photo": "no action: the image file of a complaint's photo; no operation serves the bytes",
    "complaints:detail": ["GET /api/complaints/{complaint_id}"],
    "complaints:link": ["POST /api/complaints/{complaint_id}/links"],
    "complaints:action": [
        "POST /api/complaints/{complaint_id}/accept",
        "POST /api/complaints/{complaint_id}/not-accept",
        "POST /api/complaints/{complaint_id}/transfer",
        "POST /api/complaints/{complaint_id}/result",
        "POST /api/complaints/{complaint_id}/reply",
        "POST /api/complaints/{complaint_id}/archive",
        "POST /api/complaints/{complaint_id}/link-duplicate",
    ],
}
