#!lua
-- The Aegis limiter: burst, sustained rate and monthly quota for one check, all or nothing.
--
-- The shebang line opts into Redis 7 script flags; declaring none means the script may write
-- and is refused up front when Redis is out of memory, instead of failing after a partial write.
--
-- KEYS (both carry the tenant as a hash tag, so one check touches one Cluster slot):
--   1  {tenant}:s  hash: the month's counter and the short-term state, read with one HMGET and
--                  written with one HSET:
--                    YYYYMM  requests counted that UTC month (only the current month is kept)
--                    m  burst tokens missing from a full bucket, in millionths of a token
--                    t  limiter time of the last admission, microseconds since the epoch
--                    n  sum of the costs of the members of the window (the running total)
--                    s  sequence number of the last window member
--                    o  time of the oldest member still in the window when it was last written
--                    c  number of members in the window
--   2  {tenant}:w  sorted set, the sliding window: one member "<seq>:<cost>" per admission,
--                  scored by its time in microseconds
-- ARGV:
--   1 burst_rps   2 sustained_rpm   3 monthly_quota   4 "hard" | "soft"   5 cost
--   6 seed: the counter to start this month from when Redis has none ("" = ask for it)
--   7 now in microseconds since the epoch ("" = Redis TIME; tests inject a clock here)
--
-- Reply when decided: { reason, burst_remaining, burst_reset_ms, rate_remaining, rate_reset_ms,
--   quota_used, quota_reset_ms, retry_after_ms, now_ms, month } with reason one of "ok",
--   "quota_overage", "burst_exceeded", "rate_exceeded", "quota_exceeded".
-- Reply when the month's counter is missing and no seed was given: { "seed", month, now_ms };
--   nothing has been changed, and the caller runs the script again with the seed.
--
-- A denied check writes nothing at all (a seed it carries is still stored: that restores the
-- counter, it consumes nothing). Whole numbers stay exact because every value here is far below
-- 2^53, where Lua's doubles stop counting in ones.
--
-- Cost: every command costs Redis time, so the common paths issue few. An admission is TIME,
-- HMGET, ZADD, HSET and PEXPIRE, plus ZRANGEBYSCORE, ZCARD, ZRANGE and ZREMRANGEBYRANK when the
-- oldest admission has left the window since the last write; a denial is TIME and HMGET (and those
-- three reads).

local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local call, format, match, tonumber = redis.call, string.format, string.match, tonumber

local MICROS_PER_SECOND = 1000000
local MICROS_PER_DAY = 86400 * MICROS_PER_SECOND
local WINDOW = 60 * MICROS_PER_SECOND
-- Millionths of a token, so refilling at burst_rps tokens per second adds exactly burst_rps
-- millionths per microsecond: integer arithmetic with no rounding drift.
local SCALE = 1000000
-- The window outlives the last admission by the window plus slack.
local WINDOW_TTL_MS = 61000
-- The hash lives until this long after its month ends, set once when the month's counter is
-- created rather than refreshed by every admission. A new month always starts with a seed, which
-- sets the next expiry. The short-term state in it needs no expiry of its own: it is a handful of
-- fields per tenant, and a last admission older than the window means the window is empty.
local QUOTA_SLACK_MS = 10 * 86400 * 1000
-- A whole number >= 0 below 2^53, or nil (and `empty` for "" when that is allowed).
local function whole(text, allow_empty)
    if allow_empty and text == '' then
        return nil, true
    end
    local number = tonumber(text)
    if number == nil or number < 0 or number ~= floor(number) or number >= 2 ^ 53 then
        return nil, false
    end
    return number, true
end

-- Integers as decimal text: tostring would print large numbers in exponent form, and Redis
-- formats a number argument through a slow floating-point path.
local function decimal(number)
    return format('%d', number)
end

local function ceil_div(numerator, denominator)
    return ceil(numerator / denominator)
end

-- Days since 1970-01-01 -> proleptic Gregorian year and month (H. Hinnant's civil_from_days).
local function civil_from_days(days)
    local z = days + 719468
    local era = floor(z / 146097)
    local doe = z - era * 146097
    local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
    local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
    local mp = floor((5 * doy + 2) / 153)
    local month = mp < 10 and mp + 3 or mp - 9
    local year = yoe + era * 400
    if month <= 2 then
        year = year + 1
    end
    return year, month
end

-- The first day of a month -> days since 1970-01-01 (the inverse of the above for day 1).
local function days_from_civil(year, month)
    if month <= 2 then
        year = year - 1
    end
    local era = floor(year / 400)
    local yoe = year - era * 400
    local mp = month > 2 and month - 3 or month + 9
    local doy = floor((153 * mp + 2) / 5)
    local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
    return era * 146097 + doe - 719468
end

-- Members are "<seq>:<cost>".
local function member_cost(member)
    return tonumber(match(member, ':(%d+)$')) or 1
end

local function member_seq(member)
    return tonumber(match(member, '^(%d+):')) or 0
end

local function invalid(name)
    return redis.error_reply('ERR aegis limiter: ' .. name .. ' must be a whole number >= 0')
end
local burst = whole(ARGV[1])
local rpm = whole(ARGV[2])
local quota = whole(ARGV[3])
local cost = whole(ARGV[5])
local seed, seed_ok = whole(ARGV[6], true)
local now, now_ok = whole(ARGV[7], true)
if burst == nil then return invalid('burst_rps') end
if rpm == nil then return invalid('sustained_rpm') end
if quota == nil then return invalid('monthly_quota') end
if cost == nil or cost < 1 then
    return redis.error_reply('ERR aegis limiter: cost must be a whole number >= 1')
end
if not seed_ok then return invalid('seed') end
if not now_ok then return invalid('now') end
local hard = ARGV[4] == 'hard'
if not hard and ARGV[4] ~= 'soft' then
    return redis.error_reply('ERR aegis limiter: enforcement must be hard or soft')
end
if now == nil then
    local time = call('TIME')
    now = tonumber(time[1]) * MICROS_PER_SECOND + tonumber(time[2])
end
local now_ms = floor(now / 1000)

-- The UTC calendar month of `now`, and when it ends.
local year, month_number = civil_from_days(floor(now / MICROS_PER_DAY))
local month = year * 100 + month_number
local next_year, next_month = year, month_number + 1
if next_month == 13 then
    next_year, next_month = year + 1, 1
end
local month_end = days_from_civil(next_year, next_month) * MICROS_PER_DAY
local field = decimal(month)

-- Quota first only in that nothing can be decided without this month's counter.
local state = call('HMGET', KEYS[1], field, 'm', 't', 'n', 's', 'o', 'c')
local used = tonumber(state[1])
if used == nil then
    if seed == nil then
        return { 'seed', month, now_ms }
    end
    -- Absent was checked just above, in the same atomic call: this is a set-if-absent. Older
    -- months leave with it; their last counts were returned with the checks that made them.
    for _, old in ipairs(call('HKEYS', KEYS[1])) do
        if match(old, '^%d+$') then
            call('HDEL', KEYS[1], old)
        end
    end
    call('HSET', KEYS[1], field, decimal(seed))
    -- Relative to the script's clock, so an injected clock gets the same lifetime as TIME.
    call('PEXPIRE', KEYS[1], decimal(ceil_div(month_end - now, 1000) + QUOTA_SLACK_MS))
    used = seed
end

local missing = tonumber(state[2]) or 0
local last = tonumber(state[3]) or now
local total = tonumber(state[4])
local seq = tonumber(state[5]) or 0
local oldest = tonumber(state[6])
local count = tonumber(state[7])
local cutoff = now - WINDOW

-- Burst: refill for the time since the last admission, never past a full bucket (a clock that
-- went backwards refills nothing; a smaller plan caps what is missing).
local elapsed = max(now - last, 0)
local stamp = max(now, last)
missing = max(missing - elapsed * burst, 0)
missing = min(missing, burst * SCALE)
local burst_fails = missing + cost * SCALE > burst * SCALE
local burst_wait = 0
if cost > burst then
    -- Can never pass; answer with one full refill so clients back off instead of spinning.
    burst_wait = MICROS_PER_SECOND
elseif burst_fails then
    burst_wait = ceil_div(missing - (burst - cost) * SCALE, burst)
end

-- Sustained rate: admissions at or before now - 60 s have left the window. They are only
-- subtracted here; removing them is a write, left to an admitted check. While the oldest member
-- is still in, nothing has left and the running total is the window's. A last admission older
-- than the window means all have left (the window key may have expired with them). Otherwise
-- the members that left are read, then the oldest still in, whose departure resets the window.
--
-- Reads the whole window instead: live cost, members that left, oldest still in, highest
-- sequence number and member count. Used when the hash and the window disagree, which only an
-- eviction or a deleted key causes (or the hash's month-long expiry after a quiet spell).
local function recount()
    local members = call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
    local live_cost, left, first, top = 0, 0, nil, seq
    for i = 1, #members, 2 do
        top = max(top, member_seq(members[i]))
        local score = tonumber(members[i + 1])
        if score <= cutoff then
            left = left + 1
        else
            live_cost = live_cost + member_cost(members[i])
            first = first or score
        end
    end
    return live_cost, left, first, top, #members / 2
end

local live = total
local expired = 0
local all_left = false
if total == nil or count == nil then
    live, expired, oldest, seq, count = recount()
elseif total == 0 or last <= cutoff then
    live, oldest, all_left = 0, nil, true
elseif oldest == nil or oldest <= cutoff then
    local gone = call('ZRANGEBYSCORE', KEYS[2], '-inf', decimal(cutoff))
    for _, member in ipairs(gone) do
        live = live - member_cost(member)
    end
    expired = #gone
    if call('ZCARD', KEYS[2]) ~= count then
        live, expired, oldest, seq, count = recount()
    else
        local first = call('ZRANGE', KEYS[2], expired, expired, 'WITHSCORES')
        oldest = #first > 0 and tonumber(first[2]) or nil
    end
end
local rate_fails = live + cost > rpm
local rate_wait = 0
if cost > rpm then
    -- Can never pass; suggest one full window, the same back-off as a full window gives.
    rate_wait = WINDOW
elseif rate_fails then
    -- Walk the oldest admissions until enough cost has left; the retry succeeds the moment
    -- the last of them leaves the window. (A full window is the fallback should the members
    -- not add up to the total, which the writes below keep from happening.)
    rate_wait = WINDOW
    local need = live + cost - rpm
    local freed, offset = 0, expired
    while freed < need do
        local batch = call('ZRANGE', KEYS[2], offset, offset + 99, 'WITHSCORES')
        if #batch == 0 then
            break
        end
        for i = 1, #batch, 2 do
            freed = freed + member_cost(batch[i])
            if freed >= need then
                rate_wait = tonumber(batch[i + 1]) + WINDOW - now
                break
            end
        end
        offset = offset + #batch / 2
    end
end

-- Quota: hard plans deny past it until the month ends; soft plans count the overage.
local over_quota = used + cost > quota
local quota_fails = hard and over_quota
local quota_wait = 0
if quota_fails then
    -- Even a cost above the whole quota is told to come back next month; it will fail again.
    quota_wait = month_end - now
end

-- The reason is the first limit that fails; the retry waits for every failing one, because a
-- retry of the same cost succeeds only once all of them allow it.
local reason = 'ok'
if burst_fails then
    reason = 'burst_exceeded'
elseif rate_fails then
    reason = 'rate_exceeded'
elseif quota_fails then
    reason = 'quota_exceeded'
elseif over_quota then
    reason = 'quota_overage'
end
local admitted = reason == 'ok' or reason == 'quota_overage'
local retry_wait = max(burst_wait, rate_wait, quota_wait)

if admitted then
    missing = missing + cost * SCALE
    live = live + cost
    seq = seq + 1
    used = used + cost
    if all_left then
        call('DEL', KEYS[2])
        count = 0
    elseif expired > 0 then
        call('ZREMRANGEBYRANK', KEYS[2], 0, expired - 1)
        count = count - expired
    end
    call('ZADD', KEYS[2], decimal(now), decimal(seq) .. ':' .. decimal(cost))
    call('PEXPIRE', KEYS[2], WINDOW_TTL_MS)
    count = count + 1
    if oldest == nil then
        oldest = now
    end
    call('HSET', KEYS[1], field, decimal(used), 'm', decimal(missing), 't', decimal(stamp), 'n', decimal(live),
        's', decimal(seq), 'o', decimal(oldest), 'c', decimal(count))
end

local rate_reset = 0
if oldest ~= nil then
    rate_reset = ceil_div(oldest + WINDOW - now, 1000)
end
local burst_reset = 0
if burst > 0 then
    burst_reset = ceil_div(ceil_div(missing, burst), 1000)
end

return {
    reason,
    floor((burst * SCALE - missing) / SCALE),
    burst_reset,
    max(rpm - live, 0),
    rate_reset,
    used,
    ceil_div(month_end - now, 1000),
    ceil_div(retry_wait, 1000),
    now_ms,
    month,
}
