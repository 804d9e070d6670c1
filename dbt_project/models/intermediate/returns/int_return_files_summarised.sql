-- Per council and month, the files that arrived for it (whatever their status), how many were
-- rejected, and whether an accepted return arrived: the one rule of "the council sent its
-- return for the month". A file counts when it was accepted, with or without warnings, or is
-- superseded (accepted, then every table it delivered replaced by a later version): a rejected
-- or duplicate file does not. Files not identified to a council and month are left out.
with

files as (

    select * from {{ ref('stg_ledger__files') }}

),

summarised as (

    select
        -- ids
        council_code,
        period,

        -- measures
        cast(count(*) as integer) as files_received,
        cast(count(*) filter (where status = 'rejected') as integer) as files_rejected,
        coalesce(
            bool_or(status in ('accepted', 'accepted_with_warnings', 'superseded')), false
        ) as has_accepted_return

    from files
    where council_code is not null and period is not null
    group by council_code, period

)

select * from summarised
