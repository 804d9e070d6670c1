-- Fails for each agency_rate_caps row whose source_note says PLACEHOLDER but whose
-- is_placeholder is false: a placeholder stays flagged (and shown as one) until a project lead
-- replaces the figure and its note together.
with

caps as (

    select * from {{ ref('agency_rate_caps') }}

),

unflagged as (

    select
        agency_job_type,
        effective_from,
        'source_note says PLACEHOLDER but is_placeholder is false' as problem
    from caps
    where source_note like 'PLACEHOLDER%' and not is_placeholder

)

select * from unflagged
