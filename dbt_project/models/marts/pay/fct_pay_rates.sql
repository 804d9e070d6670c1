{{ config(materialized='incremental', unique_key=['period']) }}
-- Permanent pay per council, month and regional role, from the scales in force at the month's
-- end (int_pay_scales_in_force), at 37 hours a week. Several local grades can map to one role:
-- the role's scale runs from the lowest minimum to the highest maximum of its grades, and its
-- supplements and payments are the highest any of its grades offers. Each council sits next to
-- the regional median and quartiles of the midpoint and its rank, over the councils with the
-- role that month that are MoC members on the month's end (a council's months before it joined
-- or after it left keep their own figures, with no rank), and the annualised agency cost for
-- the same role (the figure of
-- fct_agency_rates, read from int_agency_role_months_summarised) is set against the
-- permanent cost.
with

scales as (

    select * from {{ ref('int_pay_scales_in_force') }}
    -- every council of a month in scope, for the regional figures: the months of the councils
    -- whose pay scales changed, and the months whose agency rates changed
    where
        {{ is_period_in_rebuild_scope('period', ['agency_assignments']) }}
        or period in (
            select in_force.period
            from {{ ref('int_pay_scales_in_force') }} as in_force
            where {{ is_council_in_rebuild_scope('in_force.council_code', ['pay_scales']) }}
        )

),

agency_rates as (

    select * from {{ ref('int_agency_role_months_summarised') }}

),

members as (

    select * from {{ ref('members') }}

),

roles_aggregated as (

    select
        council_code,
        period,
        regional_role,
        month_end_date,
        cast(count(*) as integer) as grade_count,
        max(effective_from) as latest_effective_from,
        min(salary_min_at_standard_hours) as salary_min_at_standard_hours,
        max(salary_max_at_standard_hours) as salary_max_at_standard_hours,
        max(market_supplement) as market_supplement,
        max(recruitment_payment) as recruitment_payment,
        max(retention_payment) as retention_payment
    from scales
    group by council_code, period, regional_role, month_end_date

),

rewards_added as (

    select
        *,
        {{ salary_midpoint('salary_min_at_standard_hours', 'salary_max_at_standard_hours') }}
            as salary_midpoint_at_standard_hours
    from roles_aggregated

),

totals_added as (

    select
        *,
        {{ permanent_annual_cost(
            'salary_midpoint_at_standard_hours', 'market_supplement', 'retention_payment'
        ) }} as total_reward
    from rewards_added

),

membership_added as (

    select
        totals_added.*,
        coalesce({{ is_member_on('totals_added.month_end_date', 'members') }}, false)
            as is_region_member
    from totals_added
    left join members
        on totals_added.council_code = members.council_code

),

region_members as (

    select * from membership_added
    where is_region_member

),

regional_figures as (

    select
        period,
        regional_role,
        cast(count(*) as integer) as region_council_count,
        quantile_cont(salary_midpoint_at_standard_hours, 0.25) as region_salary_midpoint_p25,
        quantile_cont(salary_midpoint_at_standard_hours, 0.5) as region_salary_midpoint_median,
        quantile_cont(salary_midpoint_at_standard_hours, 0.75) as region_salary_midpoint_p75
    from region_members
    group by period, regional_role

),

member_ranks as (

    select
        council_code,
        period,
        regional_role,
        cast(
            rank() over (
                partition by period, regional_role
                order by salary_midpoint_at_standard_hours desc
            ) as integer
        ) as salary_midpoint_rank
    from region_members

),

regional_added as (

    select
        membership_added.*,
        coalesce(regional_figures.region_council_count, 0) as region_council_count,
        regional_figures.region_salary_midpoint_p25,
        regional_figures.region_salary_midpoint_median,
        regional_figures.region_salary_midpoint_p75,
        member_ranks.salary_midpoint_rank
    from membership_added
    left join regional_figures
        on
            membership_added.period = regional_figures.period
            and membership_added.regional_role = regional_figures.regional_role
    left join member_ranks
        on
            membership_added.council_code = member_ranks.council_code
            and membership_added.period = member_ranks.period
            and membership_added.regional_role = member_ranks.regional_role

),

agency_compared as (

    select
        -- ids
        regional_added.council_code,
        regional_added.period,
        regional_added.regional_role,

        -- dates
        regional_added.month_end_date,
        regional_added.latest_effective_from,

        -- measures: the council's scale, full time at 37 hours
        regional_added.grade_count,
        regional_added.salary_min_at_standard_hours,
        regional_added.salary_max_at_standard_hours,
        regional_added.salary_midpoint_at_standard_hours,
        regional_added.market_supplement,
        regional_added.recruitment_payment,
        regional_added.retention_payment,
        regional_added.total_reward,

        -- measures: the region (member councils on the month's end only)
        regional_added.is_region_member,
        regional_added.region_council_count,
        regional_added.region_salary_midpoint_p25,
        regional_added.region_salary_midpoint_median,
        regional_added.region_salary_midpoint_p75,
        regional_added.salary_midpoint_rank,

        -- measures: agency against permanent
        agency_rates.annualised_agency_cost_at_median,
        agency_rates.annualised_agency_cost_at_median - regional_added.total_reward
            as agency_cost_gap

    from regional_added
    left join agency_rates
        on
            regional_added.council_code = agency_rates.council_code
            and regional_added.period = agency_rates.period
            and regional_added.regional_role = agency_rates.regional_role

)

select * from agency_compared
