-- The soak's mix: projects.list 40 %, auth.me 25 %, a batch of 3 queries 15 %, credits.transfer 20 %.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local users
local owner_auth
local list_path = "/trpc/projects.list?input=%7B%7D"
local batch_path = os.getenv("BENCH_BATCH_PATH")

function init(args)
  users = common.read_lines(os.getenv("BENCH_USERS_FILE"))
  owner_auth = "Bearer " .. os.getenv("BENCH_TOKEN")
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local pick = math.random(100)
  if pick <= 40 then
    return wrk.format("GET", list_path, { ["Authorization"] = owner_auth })
  elseif pick <= 65 then
    return wrk.format("GET", "/trpc/auth.me", { ["Authorization"] = owner_auth })
  elseif pick <= 80 then
    return wrk.format("GET", batch_path, { ["Authorization"] = owner_auth })
  end
  local from = math.random(#users)
  local to = math.random(#users - 1)
  if to >= from then to = to + 1 end
  local body = string.format('{"toUserId":"%s","amount":%d}', users[to][1], math.random(1, 5))
  return wrk.format("POST", "/trpc/credits.transfer", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. users[from][2],
  }, body)
end

function response(status, headers, body)
  common.count(status, body)
end
