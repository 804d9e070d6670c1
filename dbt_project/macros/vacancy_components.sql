{#-
    The vacancy components of a month, as an establishment return reports them per cell and the
    vacancy models carry them, in column order: (name, is a whole-number count). The one list
    the intermediate vacancy models sum and pass on; the marts name their columns explicitly.
-#}
{% macro vacancy_components() -%}
    {{ return([
        ('establishment_fte', false),
        ('permanent_fte', false),
        ('agency_fte', false),
        ('agency_vacancy_fte', false),
        ('vacancy_fte', false),
        ('starters_fte', false),
        ('starters_headcount', true),
        ('leavers_fte', false),
        ('leavers_headcount', true),
        ('leavers_to_agency_headcount', true),
        ('cases_held', true),
        ('case_holder_fte', false),
    ]) }}
{%- endmacro %}

{#- Each component summed over the group under its own name; a count's sum stays an integer.
    One select-list item a line, for a select list indented by 8 spaces. -#}
{% macro sum_vacancy_components() -%}
    {%- set items = [] -%}
    {%- for name, is_count in vacancy_components() -%}
        {%- set total = 'sum(' ~ name ~ ')' -%}
        {%- do items.append(('cast(' ~ total ~ ' as integer)' if is_count else total) ~ ' as ' ~ name) -%}
    {%- endfor -%}
    {{ items | join(',\n        ') }}
{%- endmacro %}

{#- Each component as it is, qualified by `relation` when one is given; one a line, as above. -#}
{% macro vacancy_component_columns(relation=none) -%}
    {%- set items = [] -%}
    {%- for name, is_count in vacancy_components() -%}
        {%- do items.append((relation ~ '.' if relation else '') ~ name) -%}
    {%- endfor -%}
    {{ items | join(',\n        ') }}
{%- endmacro %}

{#- The components counted over the turnover window (the 12 months to the month) as well as in
    the month: permanent starters and leavers, FTE and people; (name, is a whole-number count)
    as in vacancy_components(). -#}
{% macro turnover_window_components() -%}
    {%- set windowed = ['starters_fte', 'starters_headcount', 'leavers_fte', 'leavers_headcount'] -%}
    {%- set components = [] -%}
    {%- for name, is_count in vacancy_components() if name in windowed -%}
        {%- do components.append((name, is_count)) -%}
    {%- endfor -%}
    {{ return(components) }}
{%- endmacro %}
