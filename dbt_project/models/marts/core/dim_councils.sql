with

members as (

    select * from {{ ref('members') }}

),

councils as (

    select
        -- ids
        council_code,
        ons_code,

        -- dimensions
        council_name,
        council_slug,
        region_code,
        region_name,
        left_on is null as is_current_member,

        -- dates
        joined_on,
        left_on

    from members

)

select * from councils
