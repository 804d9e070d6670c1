{#-
    The one home of the incremental path's scope. An incremental build recomputes only the
    council-months whose current return version changed since the last successful build
    (int_return_versions_changed), and the months after them that a rolling window reaches
    (months_after). Every incremental model filters its rows with these predicates and replaces
    the same keys in its table (delete+insert), so a full rebuild and an incremental one give
    the same rows. In a full build (first run, --full-refresh) the predicates are plain true.

    dbt records a model's parents while parsing (execute is false), when is_incremental() is
    false too, so record_rebuild_scope_dependency() takes the ref then; at run time the ref is
    taken only in an incremental build, so unit tests (full-build mode) need no input for it.
-#}

{% macro record_rebuild_scope_dependency() -%}
    {%- if not execute -%}
        {%- set changed = ref('int_return_versions_changed') -%}
    {%- endif -%}
{%- endmacro %}

{#- select council_code, period: the changed council-months of the return tables, each with the
    months_after months that follow it. -#}
{% macro council_months_to_rebuild(return_tables, months_after=0) -%}
    select distinct
        changed.council_code,
        strftime(
            cast(changed.period || '-01' as date) + to_months(cast(months_later.n as integer)),
            '%Y-%m'
        ) as period
    from {{ ref('int_return_versions_changed') }} as changed
    cross join range(0, {{ months_after + 1 }}) as months_later (n)
    where changed.return_table in ('{{ return_tables | join("', '") }}')
{%- endmacro %}

{#- True when this build must compute the row of (council_code, period). -#}
{% macro is_in_rebuild_scope(council_code, period, return_tables, months_after=0) -%}
    {{- record_rebuild_scope_dependency() -}}
    {%- if is_incremental() -%}
        (({{ council_code }}, {{ period }}) in (
            {{ council_months_to_rebuild(return_tables, months_after) }}
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- True when this build must compute the rows of the period: a period with any council-month in
    scope (for models keyed by period, such as regional figures). -#}
{% macro is_period_in_rebuild_scope(period, return_tables, months_after=0) -%}
    {{- record_rebuild_scope_dependency() -}}
    {%- if is_incremental() -%}
        ({{ period }} in (
            select period from ({{ council_months_to_rebuild(return_tables, months_after) }})
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- True for a council with any changed council-month: the input of a model whose rows of one
    council depend on all of that council's months (rolling windows, pay scale history). -#}
{% macro is_council_in_rebuild_scope(council_code, return_tables) -%}
    {{- record_rebuild_scope_dependency() -}}
    {%- if is_incremental() -%}
        ({{ council_code }} in (
            select council_code from ({{ council_months_to_rebuild(return_tables) }})
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The return tables the vacancy models read: establishment returns and census XMLs. -#}
{% macro vacancy_return_tables() -%}
    {{ return(['establishment', 'census_la']) }}
{%- endmacro %}

{#- True when this build must compute the vacancy figures of (council_code, period): a changed
    month, or one of the 11 months after it whose 12-month turnover window includes it. -#}
{% macro is_in_vacancy_window_rebuild_scope(council_code, period) -%}
    {{ is_in_rebuild_scope(
        council_code, period, vacancy_return_tables(), turnover_window_length() | int - 1
    ) }}
{%- endmacro %}

{#- A pre-hook for an incremental model keyed by council and month: in an incremental build,
    delete the model's rows of the council-months in scope before the new ones go in. dbt's
    delete+insert replaces only the keys that come back with rows, so without this a
    council-month whose new version has none (a nil return) would keep its old rows. -#}
{% macro delete_rows_in_rebuild_scope(return_tables) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ is_in_rebuild_scope('council_code', 'period', return_tables) }}
    {%- endif -%}
{%- endmacro %}
