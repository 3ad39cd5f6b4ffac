-- Tells the lead's agent by email when the lead turns hot.
on("lead.temperature_changed", function(ev)
  if ev.data.temperature ~= "hot" then
    return
  end
  local lead = tesoro.record(ev.data.id)
  if lead == nil or lead.agent_id == nil then
    return
  end
  for _, agent in ipairs(tesoro.agents()) do
    if agent.id == lead.agent_id then
      tesoro.mail{
        to = agent.email,
        subject = "Hot lead: {{name}} ({{score}})",
        body = "{{name}} scored {{score}} and is now a hot lead. Follow up today.",
        vars = { name = lead.first_name .. " " .. lead.last_name, score = ev.data.score },
      }
    end
  end
end)
