-- The current version of each council-month's agency assignments (one row per assignment open
-- in the month: the assignment-month grain), with the council's grade mapped to a regional
-- role, its team to a regional service area, and its money made comparable: rates per hour
-- (a daily rate is divided by the hours of a full-time day, macros/money.sql) and the month's
-- spend. The mappings are the rows in force on the return's month end (valid_from to valid_to
-- inclusive), not on the assignment's start date: an assignment is counted in the role its grade
-- has in the month reported, like the establishment rows. Left joins on purpose: an unmapped
-- grade or team keeps its row with a NULL regional value, and the not_null tests on this model
-- fail loudly instead of the row vanishing.
with

assignments as (

    select * from {{ ref('int_agency_assignments_latest') }}

),

grade_role_map as (

    select * from {{ ref('grade_role_map') }}

),

team_service_area_map as (

    select * from {{ ref('team_service_area_map') }}

),

harmonised as (

    select
        -- ids
        assignments.ledger_id,
        assignments.file_sha256,
        assignments.council_code,
        assignments.period,
        assignments.source_row_number,
        assignments.assignment_key,
        assignments.worker_key,

        -- dimensions
        assignments.agency_name,
        assignments.local_grade,
        assignments.local_team,
        grade_role_map.regional_role,
        grade_role_map.is_newly_qualified,
        team_service_area_map.service_area,
        assignments.reason,
        assignments.rate_basis,
        assignments.is_cap_exception_signed_off,
        assignments.signed_off_by,
        assignments.engagement_model,
        assignments.is_project_team,

        -- measures: as reported
        assignments.pay_rate as reported_pay_rate,
        assignments.charge_rate as reported_charge_rate,
        assignments.hours_per_week,
        assignments.references_received,
        assignments.notice_period_weeks,

        -- measures: per hour
        {{ hourly_rate('assignments.pay_rate', 'assignments.rate_basis', standard_weekly_hours()) }}
            as hourly_pay_rate,
        {{ hourly_rate(
            'assignments.charge_rate', 'assignments.rate_basis', standard_weekly_hours()
        ) }} as hourly_charge_rate,
        assignments.employer_ni_hourly,
        assignments.holiday_pay_hourly,

        -- dates
        assignments.start_date,
        assignments.end_date,
        assignments.signed_off_on,
        assignments.qualified_on,
        cast(date_trunc('month', assignments.month_end_date) as date) as month_start_date,
        assignments.month_end_date

    from assignments
    left join grade_role_map
        on
            assignments.council_code = grade_role_map.council_code
            and assignments.local_grade = grade_role_map.local_grade
            and {{ in_force_on('assignments.month_end_date', 'grade_role_map') }}
    left join team_service_area_map
        on
            assignments.council_code = team_service_area_map.council_code
            and assignments.local_team = team_service_area_map.local_team
            and {{ in_force_on('assignments.month_end_date', 'team_service_area_map') }}

),

spend_added as (

    select
        *,
        {{ weeks_open_in_month('start_date', 'end_date', 'month_start_date', 'month_end_date') }}
            as weeks_open_in_month,
        start_date <= month_end_date
        and (end_date is null or end_date >= month_start_date) as is_open_in_month
    from harmonised

),

monthly_spend_added as (

    select
        *,
        {{ agency_spend('hours_per_week', 'hourly_charge_rate', 'weeks_open_in_month') }}
            as monthly_spend
    from spend_added

)

select * from monthly_spend_added
