/** Word lists the seeded data draws from: plausible US homeowners and a roofing business. */

export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
  'Carlos', 'Maria', 'Luis', 'Sofia', 'Wei', 'Mei', 'Raj', 'Priya', 'Ahmed', 'Fatima',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  "O'Brien", 'Patel', 'Kim', 'Chen', 'Singh', 'Murphy', 'Cook', 'Rogers', 'Morgan', 'Peterson',
] as const;

export const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'comcast.net'] as const;

export const STREET_NAMES = [
  'Oak', 'Maple', 'Cedar', 'Pine', 'Elm', 'Washington', 'Lake', 'Hill', 'Sunset', 'Park',
  'Main', 'Church', 'Highland', 'Willow', 'Meadow', 'Ridge', 'Forest', 'River', 'Spring', 'Valley',
] as const;

export const STREET_SUFFIXES = ['St', 'Ave', 'Dr', 'Ln', 'Rd', 'Ct', 'Blvd', 'Way', 'Pl'] as const;

/** City, state, a ZIP prefix, the phone area code and IANA time zone that go together. */
export const CITIES = [
  { city: 'Dallas', state: 'TX', zip: '752', area: '214', timezone: 'America/Chicago' },
  { city: 'Houston', state: 'TX', zip: '770', area: '713', timezone: 'America/Chicago' },
  { city: 'Austin', state: 'TX', zip: '787', area: '512', timezone: 'America/Chicago' },
  { city: 'Denver', state: 'CO', zip: '802', area: '303', timezone: 'America/Denver' },
  { city: 'Phoenix', state: 'AZ', zip: '850', area: '602', timezone: 'America/Phoenix' },
  { city: 'Atlanta', state: 'GA', zip: '303', area: '404', timezone: 'America/New_York' },
  { city: 'Tampa', state: 'FL', zip: '336', area: '813', timezone: 'America/New_York' },
  { city: 'Orlando', state: 'FL', zip: '328', area: '407', timezone: 'America/New_York' },
  { city: 'Charlotte', state: 'NC', zip: '282', area: '704', timezone: 'America/New_York' },
  { city: 'Nashville', state: 'TN', zip: '372', area: '615', timezone: 'America/Chicago' },
  { city: 'Oklahoma City', state: 'OK', zip: '731', area: '405', timezone: 'America/Chicago' },
  { city: 'Kansas City', state: 'MO', zip: '641', area: '816', timezone: 'America/Chicago' },
  { city: 'Columbus', state: 'OH', zip: '432', area: '614', timezone: 'America/New_York' },
  { city: 'Minneapolis', state: 'MN', zip: '554', area: '612', timezone: 'America/Chicago' },
  { city: 'Raleigh', state: 'NC', zip: '276', area: '919', timezone: 'America/New_York' },
] as const;

export const TAGS = [
  'lead', 'customer', 'roof-repair', 'roof-replacement', 'insurance-claim', 'storm-damage', 'hail',
  'gutters', 'inspection-scheduled', 'estimate-sent', 'financing', 'referral', 'commercial', 'residential',
  'follow-up', 'warranty',
] as const;

export const SOURCES = ['website form', 'google ads', 'facebook', 'referral', 'door knocking', 'public api', 'yard sign'] as const;

export const CONTACT_TYPES = ['lead', 'customer'] as const;

export const COMPANY_WORDS = ['Summit', 'Peak', 'Lone Star', 'Blue Ridge', 'Heritage', 'Evergreen', 'Pioneer', 'Apex'] as const;
export const COMPANY_KINDS = ['Properties', 'Holdings', 'Realty', 'Management', 'Builders', 'HOA'] as const;

export const TASK_TITLES = [
  'Call back about estimate', 'Schedule roof inspection', 'Send insurance paperwork', 'Follow up on proposal',
  'Collect deposit', 'Order shingles', 'Confirm install date', 'Post-install walkthrough', 'Request review',
  'Check gutter measurements',
] as const;

export const NOTE_BODIES = [
  'Homeowner reports leak above the master bedroom after last storm.',
  'Adjuster visit booked; customer wants to be present.',
  'Prefers text over calls, evenings only.',
  'Roof is ~18 years old, architectural shingles, some granule loss.',
  'Sent good/better/best proposal by email.',
  'Neighbour referred them; mention referral discount.',
  'Hail damage confirmed on north slope, photos uploaded.',
  'Asked about financing options, sent link.',
] as const;

export const APPOINTMENT_TITLES = ['Roof inspection', 'Estimate review', 'Insurance adjuster meeting', 'Install day', 'Final walkthrough'] as const;
export const APPOINTMENT_STATUSES = ['confirmed', 'new', 'showed', 'noshow', 'cancelled'] as const;

/** Custom fields every seeded location defines (id and key), with plausible values. */
export const CUSTOM_FIELDS = [
  { key: 'roof_type', values: ['Asphalt shingle', 'Metal', 'Tile', 'Slate', 'Flat / TPO'] },
  { key: 'roof_age_years', values: ['5', '10', '15', '20', '25'] },
  { key: 'insurance_carrier', values: ['State Farm', 'Allstate', 'USAA', 'Farmers', 'Liberty Mutual'] },
  { key: 'lead_quality', values: ['hot', 'warm', 'cold'] },
] as const;
