-- Assigns new website leads without an agent to the agency's agents in turn.
on("lead.created", function(ev)
  local lead = tesoro.record(ev.data.id)
  if lead == nil or lead.source ~= "website" or lead.agent_id ~= nil then
    return
  end
  local agents = tesoro.agents()
  if #agents == 0 then
    tesoro.log("round robin: no active agents to assign lead " .. lead.id .. " to")
    return
  end
  local turn = tesoro.counter("round_robin.website")
  local agent = agents[(turn - 1) % #agents + 1]
  tesoro.set(lead.id, "agent_id", agent.id)
  tesoro.log("lead " .. lead.id .. " assigned to " .. agent.email)
end)
