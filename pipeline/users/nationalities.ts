/**
 * Per-nationality material for the user generator, modelled on what the
 * RandomUser API returns for each `nat`: native-script names where the API
 * gives them (UA, RS, IR), numeric or string postcodes, ids without a value.
 */

/** What the generator needs to make users of one nationality. */
export interface Nationality {
  nat: string;
  country: string;
  /** Names as shown, with the Latin form used in e-mail addresses. */
  male: ReadonlyArray<readonly [string, string]>;
  female: ReadonlyArray<readonly [string, string]>;
  last: ReadonlyArray<readonly [string, string]>;
  places: ReadonlyArray<readonly [city: string, state: string]>;
  streets: readonly string[];
  /** Makes a postcode: the real API returns a number for some countries, a string for others. */
  postcode: "number5" | "number4" | "uk" | "ca";
  /** National id name; `null` value when the API has none for the country. */
  idName: string;
  idValue: "ssn" | "digits" | null;
  phone: string;
  timezone: readonly [offset: string, description: string];
}

const latin = (...names: string[]) => names.map((n) => [n, n] as const);

/** The nationalities the generator draws from. */
export const NATIONALITIES: readonly Nationality[] = [
  {
    nat: "US",
    country: "United States",
    male: latin("James", "Brandon", "Kyle", "Rick", "Dwayne", "Jesse"),
    female: latin("Jennie", "Kaylee", "Vanessa", "Brittany", "Leah", "Tracy"),
    last: latin("Nichols", "Harper", "Cooper", "Ramirez", "Powell", "Fields"),
    places: [["Billings", "Michigan"], ["Austin", "Texas"], ["Fresno", "California"], [
      "Toledo",
      "Ohio",
    ]],
    streets: ["Valwood Pkwy", "Hickory Creek Dr", "Depaul Dr", "Mockingbird Ln"],
    postcode: "number5",
    idName: "SSN",
    idValue: "ssn",
    phone: "(###) ###-####",
    timezone: ["-6:00", "Central Time (US & Canada), Mexico City"],
  },
  {
    nat: "GB",
    country: "United Kingdom",
    male: latin("Oliver", "Harry", "Jack", "Liam", "Owen"),
    female: latin("Amelia", "Isla", "Poppy", "Megan", "Evie"),
    last: latin("Smith", "Walker", "Wright", "Hughes", "Evans"),
    places: [["Bristol", "Avon"], ["Leeds", "West Yorkshire"], ["Chester", "Cheshire"]],
    streets: ["Church Lane", "Victoria Road", "Mill Lane", "The Green"],
    postcode: "uk",
    idName: "NINO",
    idValue: "digits",
    phone: "0#### ######",
    timezone: ["0:00", "Western Europe Time, London, Lisbon, Casablanca"],
  },
  {
    nat: "FR",
    country: "France",
    male: latin("Lucas", "Hugo", "Théo", "Maël", "Noé"),
    female: latin("Léa", "Chloé", "Inès", "Manon", "Zoé"),
    last: [["Lefèvre", "Lefevre"], ["Dupont", "Dupont"], ["Garçon", "Garcon"], [
      "Mercier",
      "Mercier",
    ]],
    places: [["Lyon", "Rhône"], ["Nantes", "Loire-Atlantique"], ["Lille", "Nord"]],
    streets: ["Rue de la Gare", "Avenue Jean-Jaurès", "Place du 8 Février"],
    postcode: "number5",
    idName: "INSEE",
    idValue: "digits",
    phone: "0#-##-##-##-##",
    timezone: ["+1:00", "Brussels, Copenhagen, Madrid, Paris"],
  },
  {
    nat: "DE",
    country: "Germany",
    male: latin("Jörg", "Lukas", "Matthias", "Kai", "Uwe"),
    female: latin("Jana", "Sabine", "Käthe", "Heike", "Lina"),
    last: [["Müller", "muller"], ["Schröder", "schroder"], ["Becker", "becker"], [
      "Krüger",
      "kruger",
    ]],
    places: [["Dresden", "Sachsen"], ["Bremen", "Bremen"], ["Kassel", "Hessen"]],
    streets: ["Bahnhofstraße", "Lindenweg", "Schulstraße"],
    postcode: "number5",
    idName: "SVNR",
    idValue: "digits",
    phone: "0###-#######",
    timezone: ["+1:00", "Brussels, Copenhagen, Madrid, Paris"],
  },
  {
    nat: "BR",
    country: "Brazil",
    male: latin("João", "Caio", "Otávio", "Raul", "Ciro"),
    female: latin("Luana", "Aurora", "Iara", "Débora", "Yasmin"),
    last: latin("Silva", "Costa", "Moreira", "Araújo", "Pires"),
    places: [["Campinas", "São Paulo"], ["Recife", "Pernambuco"], ["Natal", "Rio Grande do Norte"]],
    streets: ["Rua São Jorge", "Rua Dois", "Avenida Brasil"],
    postcode: "number5",
    idName: "CPF",
    idValue: "digits",
    phone: "(##) ####-####",
    timezone: ["-3:00", "Brazil, Buenos Aires, Georgetown"],
  },
  {
    nat: "CA",
    country: "Canada",
    male: latin("Nathan", "Logan", "Félix", "Elijah"),
    female: latin("Charlotte", "Maëlle", "Sophie", "Abigail"),
    last: latin("Tremblay", "Roy", "Gagnon", "Wilson"),
    places: [["Montreal", "Québec"], ["Calgary", "Alberta"], ["Halifax", "Nova Scotia"]],
    streets: ["King St", "Parliament St", "Dufferin St"],
    postcode: "ca",
    idName: "SIN",
    idValue: "digits",
    phone: "L##-W##-####",
    timezone: ["-5:00", "Eastern Time (US & Canada), Bogota, Lima"],
  },
  {
    nat: "UA",
    country: "Ukraine",
    male: [["Ярослав", "yaroslav"], ["Богдан", "bogdan"], ["Остап", "ostap"], ["Тарас", "taras"]],
    female: [["Мирослава", "miroslava"], ["Оксана", "oksana"], ["Злата", "zlata"], [
      "Соломія",
      "solomiya",
    ]],
    last: [["Бондаренко", "bondarenko"], ["Шевчук", "shevchuk"], ["Ковальчук", "kovalchuk"], [
      "Мельник",
      "melnik",
    ]],
    places: [["Львів", "Львівська"], ["Полтава", "Полтавська"], ["Одеса", "Одеська"]],
    streets: ["Шевченка", "Лесі Українки", "Садова"],
    postcode: "number5",
    idName: "",
    idValue: null,
    phone: "(0##) ###-####",
    timezone: ["+2:00", "Kaliningrad, South Africa"],
  },
  {
    nat: "RS",
    country: "Serbia",
    male: [["Милош", "milos"], ["Никола", "nikola"], ["Душан", "dusan"]],
    female: [["Милица", "milica"], ["Јована", "jovana"], ["Теодора", "teodora"]],
    last: [["Петровић", "petrovic"], ["Јовановић", "jovanovic"], ["Николић", "nikolic"]],
    places: [["Ниш", "Нишавски"], ["Нови Сад", "Јужнобачки"], ["Крагујевац", "Шумадијски"]],
    streets: ["Кнеза Милоша", "Цара Душана", "Бранкова"],
    postcode: "number5",
    idName: "SID",
    idValue: "digits",
    phone: "0##-####-###",
    timezone: ["+1:00", "Brussels, Copenhagen, Madrid, Paris"],
  },
  {
    nat: "IR",
    country: "Iran",
    male: [["آرش", "arsh"], ["کیان", "kyan"], ["امیرعلی", "amyraly"]],
    female: [["نازنین", "naznyn"], ["یسنا", "ysna"], ["مهسا", "mhsa"]],
    last: [["رضایی", "rdyy"], ["کریمی", "krymy"], ["احمدی", "ahmdy"]],
    places: [["تهران", "کردستان"], ["شیراز", "فارس"], ["تبریز", "آذربایجان شرقی"]],
    streets: ["پارک دانشجو", "میدان انقلاب", "شهید کشوری"],
    postcode: "number5",
    idName: "",
    idValue: null,
    phone: "0##-########",
    timezone: ["+3:30", "Tehran"],
  },
  {
    nat: "AU",
    country: "Australia",
    male: latin("Jackson", "Cooper", "Mitchell", "Riley"),
    female: latin("Ruby", "Matilda", "Chloe", "Isabella"),
    last: latin("Taylor", "Anderson", "Mitchell", "O'Connor"),
    places: [["Hobart", "Tasmania"], ["Darwin", "Northern Territory"], [
      "Perth",
      "Western Australia",
    ]],
    streets: ["Pockrus Page Rd", "Spring St", "Mcclellan Rd"],
    postcode: "number4",
    idName: "TFN",
    idValue: "digits",
    phone: "0#-####-####",
    timezone: ["+9:30", "Adelaide, Darwin"],
  },
];
