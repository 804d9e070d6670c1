-- Each assignment-month against the regional price cap for its DfE agency job type in force on
-- the assignment's start date (agency_rate_caps, effective_to inclusive), as DOMAIN.md's
-- agency rules require: the cap of the day the assignment started, not of the month reported.
-- The rate compared with it follows the DfE definition for the engagement model (one home:
-- macros/agency_caps.sql): pay + employer NI + holiday pay against the cap for an umbrella or
-- limited company locum, pay against the cap net of those on-costs for PAYE, pay alone against
-- a cap on pay. On-costs the return leaves blank are the documented defaults in force on the
-- month's last day (agency_on_cost_defaults). A role with no job type or cap (managers), a
-- start date before any cap, or a cap on on-costs with no engagement model leaves
-- is_above_cap NULL; such an assignment is never a breach.
with

assignments as (

    select * from {{ ref('int_agency_assignments_harmonised') }}

),

regional_roles as (

    select * from {{ ref('regional_roles') }}

),

caps as (

    select * from {{ ref('agency_rate_caps') }}

),

on_cost_defaults as (

    select * from {{ ref('agency_on_cost_defaults') }}

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
        assignments.worker_key,

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
        assignments.engagement_model,
        assignments.is_project_team,

        -- measures
        assignments.reported_pay_rate,
        assignments.reported_charge_rate,
        assignments.hours_per_week,
        assignments.references_received,
        assignments.notice_period_weeks,
        assignments.hourly_pay_rate,
        assignments.hourly_charge_rate,
        assignments.employer_ni_hourly,
        assignments.holiday_pay_hourly,
        assignments.weeks_open_in_month,
        assignments.monthly_spend,

        -- dates
        assignments.start_date,
        assignments.end_date,
        assignments.signed_off_on,
        assignments.qualified_on,
        assignments.month_start_date,
        assignments.month_end_date,

        -- agency rules
        regional_roles.agency_job_type,
        caps.cap_hourly_pay,
        caps.cap_includes,
        caps.is_placeholder as is_cap_placeholder,
        caps.effective_from as cap_effective_from,
        on_cost_defaults.employer_ni_rate as default_employer_ni_rate,
        on_cost_defaults.holiday_pay_rate as default_holiday_pay_rate
    from assignments
    left join regional_roles
        on assignments.regional_role = regional_roles.role_code
    left join caps
        on
            regional_roles.agency_job_type = caps.agency_job_type
            and {{
                in_force_on('assignments.start_date', 'caps', 'effective_from', 'effective_to')
            }}
    left join on_cost_defaults
        on
            assignments.engagement_model = on_cost_defaults.engagement_model
            and {{ in_force_on(
                'assignments.month_end_date', 'on_cost_defaults', 'effective_from', 'effective_to'
            ) }}

),

on_costs_added as (

    select
        *,
        {{ agency_hourly_on_costs(
            'hourly_pay_rate', 'employer_ni_hourly', 'holiday_pay_hourly',
            'default_employer_ni_rate', 'default_holiday_pay_rate'
        ) }} as hourly_on_costs,
        {{ cap_comparison_basis('engagement_model', 'cap_includes') }} as cap_comparison_basis
    from cap_joined

),

comparable_added as (

    select
        *,
        {{ cap_comparable_rate('hourly_pay_rate', 'hourly_on_costs', 'cap_comparison_basis') }}
            as cap_comparable_rate,
        {{ cap_comparable_cap('cap_hourly_pay', 'hourly_on_costs', 'cap_comparison_basis') }}
            as cap_comparable_cap,
        cap_comparison_basis in ('pay_plus_on_costs', 'pay_against_net_cap')
        and (employer_ni_hourly is null or holiday_pay_hourly is null) as uses_default_on_costs
    from on_costs_added

),

breaches_flagged as (

    select
        *,
        {{ is_above_comparable_cap(
            'cap_comparable_rate', 'cap_comparable_cap', 'cap_hourly_pay'
        ) }} as is_above_cap,
        coalesce({{ is_above_comparable_cap(
            'cap_comparable_rate', 'cap_comparable_cap', 'cap_hourly_pay'
        ) }}, false)
        and is_cap_exception_signed_off as is_breach_signed_off,
        coalesce({{ is_above_comparable_cap(
            'cap_comparable_rate', 'cap_comparable_cap', 'cap_hourly_pay'
        ) }}, false)
        and not is_cap_exception_signed_off as is_breach_not_signed_off
    from comparable_added

)

select * from breaches_flagged
