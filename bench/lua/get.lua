-- A plain GET (URL and headers from the command line); only the summary is added.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done
