-- Fails for each agency_on_cost_defaults row that ends before it starts, or whose period
-- overlaps another period of the same engagement model (effective_to is inclusive; empty means
-- still in force), so exactly one default is in force for an engagement model on any day.
with

caps as (

    select
        engagement_model,
        effective_from,
        coalesce(effective_to, date '9999-12-31') as effective_to
    from {{ ref('agency_on_cost_defaults') }}

),

backwards as (

    select
        engagement_model,
        effective_from,
        'ends before it starts' as problem
    from caps
    where effective_to < effective_from

),

overlapping as (

    select
        earlier.engagement_model,
        later.effective_from,
        'overlaps the period from ' || cast(earlier.effective_from as varchar) as problem
    from caps as earlier
    inner join caps as later
        on
            earlier.engagement_model = later.engagement_model
            and earlier.effective_from < later.effective_from
            and earlier.effective_to >= later.effective_from

)

select * from backwards
union all
select * from overlapping
