-- The cooling-off check of the DfE agency rules (DOMAIN.md, Agency rules): every agency
-- assignment whose worker left a permanent post at a member council (the same council or
-- another) within the cooling-off period before the assignment started. Only the region can
-- check this, and only by the keyed hash of the SWE registration number: the assignment's
-- worker_key (agency return) equals the leaver's worker_key (workforce table or census XML,
-- hashed with the same secret at ingest); nothing else about the worker is compared.
--
-- An assignment is one council's assignment reference across the months it is reported, as
-- the council last reported it (its start date, worker, role and row). Where the worker left
-- more than one member council's post within the period, the latest leaving before the start
-- is the one the flag names. The leaving council must be a member of the MoC on the leaving
-- day (macros/membership.sql). A flag whose leaving was a redundancy or within probation is an
-- exception, kept and marked (int_permanent_leavers_classified). Carries the keys for the
-- models that count flags per assignment-month; fct_cooling_off_flags shows it without them.
with

assignments as (

    select * from {{ ref('int_agency_assignments_capped') }}

),

leavers as (

    select * from {{ ref('int_permanent_leavers_classified') }}

),

members as (

    select * from {{ ref('members') }}

),

assignments_reported as (

    select
        council_code,
        assignment_key,
        period,
        source_row_number,
        start_date,
        agency_name,
        regional_role,
        agency_job_type,
        service_area,
        first_value(worker_key ignore nulls) over (
            partition by council_code, assignment_key
            order by period desc
            rows between unbounded preceding and unbounded following
        ) as worker_key,
        min(period) over (partition by council_code, assignment_key) as first_period
    from assignments
    qualify row_number() over (
        partition by council_code, assignment_key order by period desc
    ) = 1

),

member_leavers as (

    select leavers.*
    from leavers
    inner join members
        on
            leavers.council_code = members.council_code
            and {{ is_member_on('leavers.leaving_date', 'members') }}

),

matched as (

    select
        -- ids
        assignments_reported.council_code,
        assignments_reported.assignment_key,
        assignments_reported.worker_key,
        assignments_reported.first_period,
        assignments_reported.period as last_period,
        assignments_reported.source_row_number as last_period_row_number,

        -- dimensions
        member_leavers.council_code as leaving_council_code,
        assignments_reported.agency_name,
        assignments_reported.regional_role,
        assignments_reported.agency_job_type,
        assignments_reported.service_area,
        member_leavers.reason_leave as leaving_reason_code,
        member_leavers.exception_reason,

        -- dates
        member_leavers.leaving_date,
        assignments_reported.start_date,
        {{ cooling_off_ends_on('member_leavers.leaving_date') }} as cooling_off_ends_on

    from assignments_reported
    inner join member_leavers
        on
            assignments_reported.worker_key = member_leavers.worker_key
            and {{ is_within_cooling_off(
                'member_leavers.leaving_date', 'assignments_reported.start_date'
            ) }}
    qualify row_number() over (
        partition by assignments_reported.council_code, assignments_reported.assignment_key
        order by member_leavers.leaving_date desc, member_leavers.council_code asc
    ) = 1

),

flagged as (

    select
        *,
        council_code = leaving_council_code as is_same_council,
        exception_reason is not null as is_exception,
        cast(date_diff('day', leaving_date, start_date) as integer) as days_between
    from matched

)

select * from flagged
