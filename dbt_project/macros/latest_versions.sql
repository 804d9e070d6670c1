{#-
    The one home of the "current version" rule for every return table. A council may send a
    table for a period more than once (a resubmitted workbook, a corrected CSV, a census XML);
    the current version of a table for a council and period is the file with the greatest
    ledger_id that delivered the table (with rows, or none: a nil return), the ledger's own
    order of versions. File times (received_at, a file's modified time) are not used: they can
    disagree with the order in which the ledger accepted the files.
    The rule is per table: a later establishment CSV replaces the establishment sheet of an
    earlier workbook while the workbook's other sheets stay current.
-#}

{#- Every row of `relation` that came from the current version of its council and period's
    `return_table` (int_return_versions_current: the greatest ledger_id that delivered the
    table). All rows of one file share its ledger_id, so whole files are kept or dropped; a
    current version that is a nil return keeps no rows. `return_table` also names the table
    for the incremental path: an incremental build reads only the council-months whose version
    of that table changed (macros/rebuild_scope.sql). -#}
{% macro latest_file_rows(relation, return_table) -%}
    select *
    from {{ relation }}
    where
        {{ is_in_rebuild_scope('council_code', 'period', [return_table]) }}
        and ledger_id in (
            select current_versions.ledger_id
            from {{ ref('int_return_versions_current') }} as current_versions
            where current_versions.return_table = '{{ return_table }}'
        )
{%- endmacro %}
