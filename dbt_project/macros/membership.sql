{#-
    The one definition of "a member of the MoC on that day": joined on or before it and not yet
    left (left_on is the first day outside). Regional figures count a council only for the
    months it is a member on the month's end.
-#}
{% macro is_member_on(day, members) -%}
    (
        {{ members }}.joined_on <= {{ day }}
        and ({{ members }}.left_on is null or {{ members }}.left_on > {{ day }})
    )
{%- endmacro %}
