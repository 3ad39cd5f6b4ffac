-- A follow-up task two days after a viewing (a meeting logged on a lead or contact).
on("activity.created", function(ev)
  local a = ev.data
  if a.entity ~= "contact" or a.kind ~= "meeting" then
    return
  end
  tesoro.task(a.entity_id, {
    subject = "Follow up on the viewing",
    body = "Ask how the viewing went and whether they want a second one.",
    due_in_days = 2,
    assigned_to = a.assigned_to,
  })
end)
