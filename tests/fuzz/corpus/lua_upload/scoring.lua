-- The default lead scorer: 0-100 from engagement (40), profile completeness
-- (30) and behaviour (30). Hot is 80-100, warm 50-79, cold 0-49.
-- score(lead, signals) returns the score and the reasons behind it; signals
-- holds per kind {count=, last=, days=} and activities_in, activities_out,
-- first_reply_hours.

local function count(signals, kind)
  local s = signals[kind]
  return s and s.count or 0
end

local function capped(n, each, max)
  return math.min(n * each, max)
end

local function present(v)
  return v ~= nil and v ~= ""
end

function score(lead, signals)
  local total, reasons = 0, {}
  local function add(factor, points, text)
    if points > 0 then
      total = total + points
      reasons[#reasons + 1] = { factor = factor, points = points, text = text }
    end
  end

  -- Engagement: email opens and clicks, website visits, property views, response speed.
  local opens, clicks = count(signals, "email_open"), count(signals, "email_click")
  add("email_opens", capped(opens, 2, 8), opens .. " email opens")
  add("email_clicks", capped(clicks, 3, 9), clicks .. " email clicks")
  local visits, views = count(signals, "web_visit"), count(signals, "property_view")
  add("web_visits", capped(visits, 2, 8), visits .. " website visits")
  add("property_views", capped(views, 3, 9), views .. " property views")
  local reply_h = signals.first_reply_hours
  if reply_h ~= nil and reply_h >= 0 then
    if reply_h <= 24 then
      add("response_speed", 6, "answered within a day")
    elseif reply_h <= 72 then
      add("response_speed", 3, "answered within three days")
    end
  end

  -- Profile completeness: budget, timeline, preferences, contact details.
  if present(lead.budget_max) or present(lead.budget_min) then
    add("budget_confirmed", 8, "budget known")
  end
  if present(lead.timeframe) or present(lead.move_in_date) then
    add("timeline_known", 8, "timeline known")
  end
  if type(lead.preferences) == "table" and next(lead.preferences) ~= nil then
    add("preferences_set", 7, "preferences set")
  end
  if present(lead.email) and present(lead.phone) then
    add("contact_complete", 7, "email and phone known")
  elseif present(lead.email) or present(lead.phone) then
    add("contact_complete", 3, "email or phone known")
  end

  -- Behaviour: viewing requested, information asked, outreach answered, contact initiated.
  if count(signals, "viewing_request") > 0 then
    add("viewing_requested", 10, "requested a viewing")
  end
  if count(signals, "info_request") > 0 then
    add("info_requested", 6, "asked for more information")
  end
  if count(signals, "reply") > 0 or (signals.activities_in or 0) > 0 then
    add("responded", 7, "responded to outreach")
  end
  if count(signals, "inbound_contact") > 0 then
    add("initiated_contact", 7, "initiated contact")
  end

  return math.min(total, 100), reasons
end
