-- credits.transfer among the seeded users: a random sender (its own token) to a random other user.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local users

function init(args)
  users = common.read_lines(os.getenv("BENCH_USERS_FILE"))
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
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
