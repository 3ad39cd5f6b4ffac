-- Custom fields on leads: a mortgage pre-approval amount checked against the
-- budget, a preferred viewing day, and a budget band computed from the budget.
field{
  kind = "lead", key = "mortgage_approved", type = "money",
  label = { en = "Mortgage pre-approval", es = "Preaprobación hipotecaria", nl = "Hypotheekvoorakkoord" },
  validate = function(value, record)
    if value < 0 then
      return "cannot be negative"
    end
    if record and record.budget_max and value > record.budget_max * 2 then
      return "is more than twice the budget"
    end
    return true
  end,
}

field{
  kind = "lead", key = "viewing_day", type = "select",
  label = { en = "Preferred viewing day", es = "Día preferido para visitas" },
  options = { "weekday", "saturday", "sunday" },
}

field{
  kind = "lead", key = "budget_band", type = "select",
  label = { en = "Budget band", es = "Rango de presupuesto" },
  options = { "unknown", "under_250k", "250k_500k", "over_500k" },
  -- budget_max is in minor units (cents)
  compute = function(record)
    local b = record and record.budget_max
    if b == nil then return "unknown" end
    if b < 25000000 then return "under_250k" end
    if b <= 50000000 then return "250k_500k" end
    return "over_500k"
  end,
}
