-- How far each council's agency assignments keep the DfE agency rules (DOMAIN.md, Agency
-- rules), council x month, over the assignments open in the month (the current version of the
-- council-month's agency return): the price cap (within it, breaches signed off or not;
-- int_agency_assignments_capped, macros/agency_caps.sql), cooling-off (flags and the exceptions
-- among them; int_agency_cooling_off_matched), post-qualifying experience on the start date,
-- references and notice period (macros/agency_rules.sql, thresholds in dbt_project.yml),
-- project-team assignments, and the month's agency spend (the same monthly_spend as
-- fct_agency_rates). A share counts only the assignments whose return gives the field
-- (returns before 2025-10 may leave it out): the "known" count is its denominator. A full
-- rebuild every time: a leaver reported by one council flags another council's months.
with

assignments as (

    select * from {{ ref('int_agency_assignments_capped') }}

),

cooling_off as (

    select * from {{ ref('int_agency_cooling_off_matched') }}

),

rules_checked as (

    select
        assignments.council_code,
        assignments.period,
        assignments.month_end_date,
        assignments.assignment_key,
        assignments.is_above_cap,
        assignments.is_breach_signed_off,
        assignments.is_breach_not_signed_off,
        assignments.is_project_team,
        assignments.monthly_spend,
        cooling_off.assignment_key is not null as is_cooling_off_flagged,
        coalesce(cooling_off.is_exception, false) as is_cooling_off_exception,
        {{ has_post_qualifying_experience('assignments.qualified_on', 'assignments.start_date') }}
            as has_post_qualifying_experience,
        {{ has_enough_references('assignments.references_received') }} as has_enough_references,
        {{ has_enough_notice('assignments.notice_period_weeks') }} as has_enough_notice
    from assignments
    left join cooling_off
        on
            assignments.council_code = cooling_off.council_code
            and assignments.assignment_key = cooling_off.assignment_key

),

summarised as (

    select
        council_code,
        period,
        month_end_date,

        cast(count(*) as integer) as assignment_count,

        -- price cap
        cast(count(is_above_cap) as integer) as cap_compared_count,
        cast(count(*) filter (where not is_above_cap) as integer) as within_cap_count,
        cast(count(*) filter (where is_breach_signed_off) as integer) as breaches_signed_off,
        cast(count(*) filter (where is_breach_not_signed_off) as integer)
            as breaches_not_signed_off,

        -- cooling-off
        cast(count(*) filter (where is_cooling_off_flagged) as integer) as cooling_off_flag_count,
        cast(count(*) filter (where is_cooling_off_exception) as integer)
            as cooling_off_exception_count,

        -- post-qualifying experience, references, notice
        cast(count(has_post_qualifying_experience) as integer) as experience_known_count,
        cast(count(*) filter (where has_post_qualifying_experience) as integer)
            as experience_met_count,
        cast(count(has_enough_references) as integer) as references_known_count,
        cast(count(*) filter (where has_enough_references) as integer) as references_met_count,
        cast(count(has_enough_notice) as integer) as notice_known_count,
        cast(count(*) filter (where has_enough_notice) as integer) as notice_met_count,

        -- project teams
        cast(count(is_project_team) as integer) as project_team_known_count,
        cast(count(*) filter (where is_project_team) as integer) as project_team_count,

        -- spend
        sum(monthly_spend) as agency_spend

    from rules_checked
    group by council_code, period, month_end_date

),

final as (

    select
        -- ids
        council_code,
        period,

        -- dates
        month_end_date,

        -- price cap
        assignment_count,
        cap_compared_count,
        within_cap_count,
        {{ safe_percentage('within_cap_count', 'cap_compared_count') }} as within_cap_share,
        breaches_signed_off,
        breaches_not_signed_off,

        -- cooling-off
        cooling_off_flag_count,
        cooling_off_exception_count,

        -- the other rules
        experience_known_count,
        experience_met_count,
        {{ safe_percentage('experience_met_count', 'experience_known_count') }}
            as experience_met_share,
        references_known_count,
        references_met_count,
        {{ safe_percentage('references_met_count', 'references_known_count') }}
            as references_met_share,
        notice_known_count,
        notice_met_count,
        {{ safe_percentage('notice_met_count', 'notice_known_count') }} as notice_met_share,
        project_team_known_count,
        project_team_count,

        -- spend
        agency_spend

    from summarised

)

select * from final
