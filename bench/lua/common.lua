-- Shared by every wrk script: per-status counts (when a script counts them) and one JSON summary
-- line on stdout, read by bench/lib/wrk.mjs.
local common = {}
local threads = {}

function common.setup(thread)
  table.insert(threads, thread)
end

-- Reads whitespace-separated fields, one record a line.
function common.read_lines(path)
  local rows = {}
  for line in io.lines(path) do
    local row = {}
    for field in line:gmatch("%S+") do table.insert(row, field) end
    if #row > 0 then table.insert(rows, row) end
  end
  return rows
end

-- Counts a response by status and, for errors, by the application code of the tRPC envelope.
function common.count(status, body)
  statuses = statuses or {}
  local key = tostring(status)
  if status >= 300 and body then
    local code = body:match('"data":{"code":"([A-Z_]+)"')
    if code then key = key .. ":" .. code end
  end
  statuses[key] = (statuses[key] or 0) + 1
end

local function encode(value)
  local kind = type(value)
  if kind == "table" then
    local parts = {}
    for k, v in pairs(value) do table.insert(parts, string.format("%q:%s", tostring(k), encode(v))) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "string" then
    return string.format("%q", value)
  elseif kind == "number" then
    return string.format("%.3f", value)
  end
  return tostring(value)
end

function common.done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    if counted then
      for k, v in pairs(counted) do statuses[k] = (statuses[k] or 0) + v end
    end
  end
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = {
      connect = summary.errors.connect,
      read = summary.errors.read,
      write = summary.errors.write,
      status = summary.errors.status,
      timeout = summary.errors.timeout,
    },
    latency_us = {
      mean = latency.mean,
      max = latency.max,
      p50 = latency:percentile(50),
      p90 = latency:percentile(90),
      p95 = latency:percentile(95),
      p99 = latency:percentile(99),
      p999 = latency:percentile(99.9),
    },
    statuses = statuses,
  }
  io.write("WRK_JSON " .. encode(out) .. "\n")
end

return common
