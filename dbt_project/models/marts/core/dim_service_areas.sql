with

service_areas as (

    select * from {{ ref('service_areas') }}

),

renamed as (

    select
        -- ids
        service_area_code,

        -- dimensions
        service_area_name,
        sort_order

    from service_areas

)

select * from renamed
