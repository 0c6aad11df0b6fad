export interface CountryInfo {
  id: string;
  two_letter_abbreviation: string;
  three_letter_abbreviation: string;
  full_name_locale: string;
  full_name_english: string;
  available_regions?: Array<{ id: string; code: string; name: string }>;
}

const US_STATES: Array<[string, string]> = [
  ['AL', 'Alabama'],
  ['AK', 'Alaska'],
  ['AZ', 'Arizona'],
  ['AR', 'Arkansas'],
  ['CA', 'California'],
  ['CO', 'Colorado'],
  ['CT', 'Connecticut'],
  ['DE', 'Delaware'],
  ['FL', 'Florida'],
  ['GA', 'Georgia'],
  ['HI', 'Hawaii'],
  ['ID', 'Idaho'],
  ['IL', 'Illinois'],
  ['IN', 'Indiana'],
  ['IA', 'Iowa'],
  ['KS', 'Kansas'],
  ['KY', 'Kentucky'],
  ['LA', 'Louisiana'],
  ['ME', 'Maine'],
  ['MD', 'Maryland'],
  ['MA', 'Massachusetts'],
  ['MI', 'Michigan'],
  ['MN', 'Minnesota'],
  ['MS', 'Mississippi'],
  ['MO', 'Missouri'],
  ['MT', 'Montana'],
  ['NE', 'Nebraska'],
  ['NV', 'Nevada'],
  ['NH', 'New Hampshire'],
  ['NJ', 'New Jersey'],
  ['NM', 'New Mexico'],
  ['NY', 'New York'],
  ['NC', 'North Carolina'],
  ['ND', 'North Dakota'],
  ['OH', 'Ohio'],
  ['OK', 'Oklahoma'],
  ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'],
  ['RI', 'Rhode Island'],
  ['SC', 'South Carolina'],
  ['SD', 'South Dakota'],
  ['TN', 'Tennessee'],
  ['TX', 'Texas'],
  ['UT', 'Utah'],
  ['VT', 'Vermont'],
  ['VA', 'Virginia'],
  ['WA', 'Washington'],
  ['WV', 'West Virginia'],
  ['WI', 'Wisconsin'],
  ['WY', 'Wyoming'],
];

/** A slice of Magento's directory: the US with its states (region ids as Magento numbers them from 1), and countries without a region list. */
export const COUNTRIES: Readonly<Record<string, CountryInfo>> = {
  US: {
    id: 'US',
    two_letter_abbreviation: 'US',
    three_letter_abbreviation: 'USA',
    full_name_locale: 'United States',
    full_name_english: 'United States',
    available_regions: US_STATES.map(([code, name], i) => ({ id: String(i + 1), code, name })),
  },
  GB: {
    id: 'GB',
    two_letter_abbreviation: 'GB',
    three_letter_abbreviation: 'GBR',
    full_name_locale: 'United Kingdom',
    full_name_english: 'United Kingdom',
  },
  ID: {
    id: 'ID',
    two_letter_abbreviation: 'ID',
    three_letter_abbreviation: 'IDN',
    full_name_locale: 'Indonesia',
    full_name_english: 'Indonesia',
  },
  NL: {
    id: 'NL',
    two_letter_abbreviation: 'NL',
    three_letter_abbreviation: 'NLD',
    full_name_locale: 'Netherlands',
    full_name_english: 'Netherlands',
  },
};
