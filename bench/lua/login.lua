-- auth.login round-robin over the seeded sign-in users, with the right password.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local emails
local password
local next_index = 0

function init(args)
  emails = common.read_lines(os.getenv("BENCH_LOGIN_FILE"))
  password = os.getenv("BENCH_PASSWORD")
end

function request()
  next_index = next_index % #emails + 1
  local body = string.format('{"email":"%s","password":"%s"}', emails[next_index][1], password)
  return wrk.format("POST", "/trpc/auth.login", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 503 and not headers["Retry-After"] and not headers["retry-after"] then
    common.count(599, '"data":{"code":"503_WITHOUT_RETRY_AFTER"')
  end
  common.count(status, body)
end
