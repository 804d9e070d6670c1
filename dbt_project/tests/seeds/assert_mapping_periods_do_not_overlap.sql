-- Fails for each grade_role_map or team_service_area_map row that ends before it starts, or
-- whose period overlaps another period of the same council's grade or team (valid_to is
-- inclusive; empty means still in force), so at most one mapping row is in force for a
-- council's value on any day and the harmonised models' joins cannot duplicate a row.
with

mappings as (

    select
        'grade_role_map' as mapping_seed,
        council_code,
        local_grade as local_value,
        valid_from,
        coalesce(valid_to, date '9999-12-31') as valid_to
    from {{ ref('grade_role_map') }}

    union all

    select
        'team_service_area_map' as mapping_seed,
        council_code,
        local_team as local_value,
        valid_from,
        coalesce(valid_to, date '9999-12-31') as valid_to
    from {{ ref('team_service_area_map') }}

),

backwards as (

    select
        mapping_seed,
        council_code,
        local_value,
        valid_from,
        'ends before it starts' as problem
    from mappings
    where valid_to < valid_from

),

overlapping as (

    select
        earlier.mapping_seed,
        earlier.council_code,
        earlier.local_value,
        later.valid_from,
        'overlaps the period from ' || cast(earlier.valid_from as varchar) as problem
    from mappings as earlier
    inner join mappings as later
        on
            earlier.mapping_seed = later.mapping_seed
            and earlier.council_code = later.council_code
            and earlier.local_value = later.local_value
            and earlier.valid_from < later.valid_from
            and earlier.valid_to >= later.valid_from

)

select * from backwards
union all
select * from overlapping
