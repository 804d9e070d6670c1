{#-
    The one home of how the project keeps figures exact (issue: a build must never fail or
    differ because of floating-point noise).

    Measures (FTE, hours, money, counts of cases) are fixed-point decimals from staging on:
    DECIMAL(38, 6) holds every return's figures exactly (FTE comes to at most 6 decimal places,
    money in pence; a figure with more places is rounded to 6 here), and sums of decimals are exact whatever order DuckDB
    adds them in, so a full build, an incremental one and one after a crash give the same
    figures to the last digit. A formula that divides (a daily rate as hourly, a salary at 37
    hours, a month's spend) gives a double; exact_measure turns its result back into the
    fixed-point type before anything sums it, so each row's value is the same every time and
    the sums stay exact.
-#}

{#- The type of every measure from staging on. -#}
{% macro exact_measure_type() -%}
    decimal(38, 6)
{%- endmacro %}

{#- `expression` (a measure, or a formula over measures) as an exact measure, rounded to
    the type's 6 decimal places. -#}
{% macro exact_measure(expression) -%}
    cast(({{ expression }}) as {{ exact_measure_type() }})
{%- endmacro %}

{#- A rate or ratio computed from exact measures by one division is a double within a few
    units in the last place of the true quotient. Rounded to rate_decimal_places (12: far finer
    than anything published, far coarser than the noise), the same components always give
    the same value, a rate of x / x is exactly 100, and a rate of 21.6 / 115.2 is 18.75, not
    18.749999999999996, so publication's half-away-from-zero rounding sees the true figure.
    publish/extracts/indicators.py applies the same rounding, read from the same var. -#}
{% macro rounded_rate(expression) -%}
    round(({{ expression }}), {{ var('rate_decimal_places') }})
{%- endmacro %}
