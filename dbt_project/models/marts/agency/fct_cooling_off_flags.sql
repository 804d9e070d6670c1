-- The cooling-off flags of the DfE agency rules: one row per agency assignment that started
-- within the cooling-off period (agency_rules_cooling_off_months, 3) after its worker left a
-- permanent post at the same or another member council (int_agency_cooling_off_matched, which
-- links the two by the keyed hash of the SWE registration number). Says who engaged and who
-- the worker left, when, how many days apart, and the leaver's recorded reason; a redundancy
-- or a leaving within probation is flagged as an exception, not dropped. Carries no hash and no
-- identifier of the worker or of the assignment: the engaging council finds the assignment by
-- the row of its own latest return that lists it. A full rebuild every time: a leaver in one
-- council flags an assignment in another, across any council-months.
with

flags as (

    select * from {{ ref('int_agency_cooling_off_matched') }}

),

final as (

    select
        -- where the engaging council finds the assignment
        council_code as engaging_council_code,
        first_period,
        last_period,
        last_period_row_number,

        -- dimensions
        leaving_council_code,
        is_same_council,
        agency_name,
        regional_role,
        agency_job_type,
        service_area,
        leaving_reason_code,
        is_exception,
        exception_reason,

        -- dates
        leaving_date,
        start_date,
        cooling_off_ends_on,

        -- measures
        days_between

    from flags

)

select * from final
