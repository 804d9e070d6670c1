-- Every member council's return for every month, table by table: the current version of each
-- return table (int_return_versions_current: the greatest ledger_id that delivered it) with its
-- file, and per council and month the files that arrived, whether an accepted return did
-- (int_return_files_summarised) and so whether the council is late. A council-month with
-- nothing received has its rows too, with no version. Councils count for the months they are
-- members on the month's end (macros/membership.sql), every month of the calendar (dim_months),
-- so a month nobody has sent anything for yet is there too. Late is only "no accepted return
-- for the month"; when a council is chased is the chase step's deadline.
with

months as (

    select * from {{ ref('dim_months') }}

),

members as (

    select * from {{ ref('members') }}

),

current_versions as (

    select * from {{ ref('int_return_versions_current') }}

),

files as (

    select * from {{ ref('stg_ledger__files') }}

),

council_month_files as (

    select * from {{ ref('int_return_files_summarised') }}

),

return_tables as (

    select contract_tables.return_table
    from (
        values
        {%- for return_table in return_tables() %}
            ('{{ return_table }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as contract_tables (return_table)

),

member_months as (

    select
        members.council_code,
        members.council_name,
        months.period,
        months.month_end
    from months
    inner join members
        on {{ is_member_on('months.month_end', 'members') }}

),

member_month_tables as (

    select
        member_months.council_code,
        member_months.council_name,
        member_months.period,
        member_months.month_end,
        return_tables.return_table
    from member_months
    cross join return_tables

),

versions_added as (

    select
        member_month_tables.*,
        current_versions.ledger_id,
        current_versions.row_count,
        files.file_name,
        files.status,
        files.received_at
    from member_month_tables
    left join current_versions
        on
            member_month_tables.council_code = current_versions.council_code
            and member_month_tables.period = current_versions.period
            and member_month_tables.return_table = current_versions.return_table
    left join files
        on current_versions.ledger_id = files.ledger_id

),

submissions as (

    select
        -- ids
        versions_added.council_code,
        versions_added.period,
        versions_added.return_table,

        -- dimensions
        versions_added.council_name,

        -- dates
        versions_added.month_end as month_end_date,

        -- the table's current version
        versions_added.ledger_id is not null as has_current_version,
        versions_added.ledger_id,
        versions_added.file_name,
        versions_added.status,
        versions_added.received_at,
        versions_added.row_count,

        -- the council's month
        coalesce(council_month_files.files_received, 0) as files_received,
        coalesce(council_month_files.files_rejected, 0) as files_rejected,
        coalesce(council_month_files.has_accepted_return, false) as has_accepted_return,
        not coalesce(council_month_files.has_accepted_return, false) as is_late

    from versions_added
    left join council_month_files
        on
            versions_added.council_code = council_month_files.council_code
            and versions_added.period = council_month_files.period

)

select * from submissions
