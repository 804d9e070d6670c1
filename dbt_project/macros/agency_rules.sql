{#-
    The one home of the DfE agency rules other than the price cap (DOMAIN.md, Agency rules;
    the cap comparison is macros/agency_caps.sql). Each threshold is a var in dbt_project.yml,
    read here and nowhere else. Every rule is NULL where the return does not give the field
    (returns before 2025-10 may leave the agency rules' columns out), so a share counts only
    the assignments that say.
-#}

{#- The cooling-off period, in months. -#}
{% macro cooling_off_months() -%}
    {{ var('agency_rules_cooling_off_months') | int }}
{%- endmacro %}

{#- The last day of the cooling-off period after leaving a permanent post on `leaving_date`:
    the same day N months later (the month's last day when that month is shorter). -#}
{% macro cooling_off_ends_on(leaving_date) -%}
    cast(({{ leaving_date }}) + to_months({{ cooling_off_months() }}) as date)
{%- endmacro %}

{#- True when an agency assignment starting on `start_date` starts within the cooling-off
    period after its worker left a permanent post on `leaving_date` (the leaving day itself
    included, the period's last day too). -#}
{% macro is_within_cooling_off(leaving_date, start_date) -%}
    (
        ({{ start_date }}) >= ({{ leaving_date }})
        and ({{ start_date }}) <= {{ cooling_off_ends_on(leaving_date) }}
    )
{%- endmacro %}

{#- True when a worker who started the role on `role_start_date` and left on `leaving_date`
    left within the probation period (agency_rules_probation_months); NULL without a start. -#}
{% macro left_during_probation(role_start_date, leaving_date) -%}
    (
        ({{ leaving_date }})
        < cast(({{ role_start_date }}) + to_months({{ var('agency_rules_probation_months') | int }}) as date)
    )
{%- endmacro %}

{#- True when the worker, qualified on `qualified_on`, has at least the required years of
    post-qualifying experience on `start_date`. -#}
{% macro has_post_qualifying_experience(qualified_on, start_date) -%}
    (
        cast(({{ qualified_on }}) + to_years({{ var('agency_rules_min_post_qualifying_years') | int }}) as date)
        <= ({{ start_date }})
    )
{%- endmacro %}

{#- True when at least the required number of practice-based references was received. -#}
{% macro has_enough_references(references_received) -%}
    (({{ references_received }}) >= {{ var('agency_rules_min_references') | int }})
{%- endmacro %}

{#- True when the notice period is at least the required number of weeks. -#}
{% macro has_enough_notice(notice_period_weeks) -%}
    (({{ notice_period_weeks }}) >= {{ var('agency_rules_min_notice_weeks') | int }})
{%- endmacro %}
