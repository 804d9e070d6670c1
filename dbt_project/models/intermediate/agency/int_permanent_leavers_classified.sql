-- The leaver side of the cooling-off rule (DOMAIN.md, Agency rules): one row per time a social
-- worker left a permanent (not agency) post at a council, from the current workforce rows of
-- every council-month (workforce sheets and CSVs, and census XMLs, whose worker records are the
-- same table). A leaving is reported again in later returns (a census year lists a year's
-- leavers, a monthly table may repeat them): the most recent report of the same worker,
-- council and leaving day is kept. A worker who held two roles and left both on one day is
-- one leaving (the earliest role start is kept, so probation is judged on their time there).
-- Each leaving says whether a cooling-off flag on it would be an exception: a leaving reason
-- of cooling_off_exception_reasons (redundancy), else left during probation
-- (macros/agency_rules.sql). The worker appears only as the keyed hash of the SWE number.
with

workers as (

    select * from {{ ref('int_workforce_latest') }}

),

exception_reasons as (

    select * from {{ ref('cooling_off_exception_reasons') }}

),

permanent_leavers as (

    select
        council_code,
        worker_key,
        role_end_date as leaving_date,
        role_start_date,
        reason_leave,
        leaver_destination,
        period,
        ledger_id
    from workers
    where
        is_agency_worker = false
        and role_end_date is not null
        and worker_key is not null

),

latest_report as (

    select
        *,
        min(role_start_date) over (
            partition by council_code, worker_key, leaving_date
        ) as earliest_role_start_date
    from permanent_leavers
    qualify row_number() over (
        partition by council_code, worker_key, leaving_date
        order by period desc, ledger_id desc, role_start_date asc nulls last, reason_leave asc
    ) = 1

),

classified as (

    select
        -- ids
        latest_report.council_code,
        latest_report.worker_key,

        -- dimensions
        latest_report.reason_leave,
        latest_report.leaver_destination,
        case
            when exception_reasons.exception_reason is not null
                then exception_reasons.exception_reason
            when {{ left_during_probation(
                'latest_report.earliest_role_start_date', 'latest_report.leaving_date'
            ) }}
                then 'probation'
        end as exception_reason,

        -- dates
        latest_report.earliest_role_start_date as role_start_date,
        latest_report.leaving_date,
        latest_report.period as reported_period

    from latest_report
    left join exception_reasons
        on latest_report.reason_leave = exception_reasons.reason_leave

)

select * from classified
