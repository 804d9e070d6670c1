-- Each assignment-month against the regional hourly pay cap in force on the assignment's start
-- date (agency_rate_caps, effective_to inclusive), as DOMAIN.md's agency rules require: the
-- cap of the day the assignment started, not of the month reported. A role with no cap
-- (managers), or a start date before any cap, leaves the cap and is_above_cap NULL; such an
-- assignment is never a breach.
with

assignments as (

    select * from {{ ref('int_agency_assignments_harmonised') }}

),

caps as (

    select * from {{ ref('agency_rate_caps') }}

),

cap_joined as (

    select
        -- ids
        assignments.ledger_id,
        assignments.file_sha256,
        assignments.council_code,
        assignments.period,
        assignments.source_row_number,
        assignments.assignment_key,

        -- dimensions
        assignments.agency_name,
        assignments.local_grade,
        assignments.local_team,
        assignments.regional_role,
        assignments.is_newly_qualified,
        assignments.service_area,
        assignments.reason,
        assignments.rate_basis,
        assignments.is_cap_exception_signed_off,
        assignments.signed_off_by,

        -- measures
        assignments.reported_pay_rate,
        assignments.reported_charge_rate,
        assignments.hours_per_week,
        assignments.hourly_pay_rate,
        assignments.hourly_charge_rate,
        assignments.weeks_open_in_month,
        assignments.monthly_spend,

        -- dates
        assignments.start_date,
        assignments.end_date,
        assignments.signed_off_on,
        assignments.month_start_date,
        assignments.month_end_date,

        -- agency rules
        caps.cap_hourly_pay,
        caps.effective_from as cap_effective_from
    from assignments
    left join caps
        on
            assignments.regional_role = caps.role_code
            and {{
                in_force_on('assignments.start_date', 'caps', 'effective_from', 'effective_to')
            }}

),

breaches_flagged as (

    select
        *,
        {{ is_above_cap('hourly_pay_rate', 'cap_hourly_pay') }} as is_above_cap,
        coalesce({{ is_above_cap('hourly_pay_rate', 'cap_hourly_pay') }}, false)
        and is_cap_exception_signed_off as is_breach_signed_off,
        coalesce({{ is_above_cap('hourly_pay_rate', 'cap_hourly_pay') }}, false)
        and not is_cap_exception_signed_off as is_breach_not_signed_off
    from cap_joined

)

select * from breaches_flagged
