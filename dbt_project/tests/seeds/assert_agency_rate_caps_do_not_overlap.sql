-- Fails for each agency_rate_caps row that ends before it starts, or whose period overlaps
-- another period of the same job type (effective_to is inclusive; empty means still in force), so
-- exactly one cap is in force for a job type on any day.
with

caps as (

    select
        agency_job_type,
        effective_from,
        coalesce(effective_to, date '9999-12-31') as effective_to
    from {{ ref('agency_rate_caps') }}

),

backwards as (

    select
        agency_job_type,
        effective_from,
        'ends before it starts' as problem
    from caps
    where effective_to < effective_from

),

overlapping as (

    select
        earlier.agency_job_type,
        later.effective_from,
        'overlaps the period from ' || cast(earlier.effective_from as varchar) as problem
    from caps as earlier
    inner join caps as later
        on
            earlier.agency_job_type = later.agency_job_type
            and earlier.effective_from < later.effective_from
            and earlier.effective_to >= later.effective_from

)

select * from backwards
union all
select * from overlapping
